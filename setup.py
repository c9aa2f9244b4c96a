"""The native part of the build: the match prefilter (`kawan.match._prefilter`, plain C99).

Everything else is in pyproject.toml. A C compiler and the Python headers are required:
without them the install stops with an error saying so; there is no slow fallback.
"""

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext
from setuptools.errors import CCompilerError, ExecError, PlatformError

SOURCE = "src/kawan/match/_prefilter.c"
NEEDED = (
    f"kawan: could not compile the native match prefilter ({SOURCE}): {{error}}\n"
    "kawan needs a C compiler and the Python headers to install "
    "(Debian: apt-get install gcc python3-dev)."
)


class BuildExt(build_ext):
    """build_ext, failing with one clear message when nothing can compile C."""

    def run(self) -> None:
        try:
            super().run()
        except (CCompilerError, ExecError, PlatformError) as error:
            raise SystemExit(NEEDED.format(error=error)) from error

    def build_extension(self, ext: Extension) -> None:
        try:
            super().build_extension(ext)
        except (CCompilerError, ExecError, PlatformError) as error:
            raise SystemExit(NEEDED.format(error=error)) from error


setup(
    ext_modules=[
        Extension(
            "kawan.match._prefilter",
            [SOURCE],
            extra_compile_args=["-O3", "-std=c99", "-Wall", "-Wextra"],
        )
    ],
    cmdclass={"build_ext": BuildExt},
)
