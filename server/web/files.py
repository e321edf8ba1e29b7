"""Folders served as they are: the WebXR export (``DATA_DIR/web``) and park pictures
(``DATA_DIR/previews``). Either may not exist yet (no scenes built): then every path
under it is a plain 404, not an error of the server."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.staticfiles import StaticFiles


class OptionalFolder(StaticFiles):
    def __init__(self, directory: str, *, html: bool = False, missing: str) -> None:
        super().__init__(directory=directory, html=html, check_dir=False)
        self.missing = missing

    async def check_config(self) -> None:
        try:
            await super().check_config()
        except RuntimeError:
            raise HTTPException(404, self.missing) from None
