"""The world server: an asyncio shell (websockets, aiosqlite, HTTP) around the pure world core."""
