"""The compiled part of the package (everything else is in pyproject.toml): the
snapshot frame writer, ``world/snapshot_frames.pyx`` (see docs/architecture.md)."""

from Cython.Build import cythonize
from setuptools import Extension, setup

setup(
    ext_modules=cythonize(
        [Extension(name, [name.replace(".", "/") + ".pyx"], extra_compile_args=["-O2"])
         for name in ("world.snapshot_frames", "world.room_steps")],
        compiler_directives={"language_level": "3"},
    ),
)
