"""Scene builder: park catalogue entry -> site plan (world/) -> one .glb per park."""
