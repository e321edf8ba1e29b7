"""The compiled part of the package (everything else is in pyproject.toml): the room's
hot loops (``world/snapshot_frames.pyx``, ``world/room_steps.pyx``,
``world/crowd_views.pyx``) and the ticker's write loop (``server/net/frame_writes.pyx``);
see docs/architecture.md."""

from Cython.Build import cythonize
from setuptools import Extension, setup

setup(
    ext_modules=cythonize(
        [Extension(name, [name.replace(".", "/") + ".pyx"], extra_compile_args=["-O2", "-ffp-contract=off"])
         for name in ("world.snapshot_frames", "world.room_steps", "world.crowd_views",
                     "server.net.frame_writes")],
        compiler_directives={"language_level": "3"},
    ),
)
