"""Faster rendering through Jinja2's internals: fenced here, with a tripwire test for each hook.

What it relies on (Jinja2 3.1.x; tests/test_speedups.py fails, naming the version, when an upgrade
renames or stops calling one of them):
- `jinja2.compiler.CodeGenerator._output_child_pre`, which writes the code that opens the escaping of
  each `{{ }}`: ours makes it call `environment.escape_output`, a quicker markupsafe.escape;
- `jinja2.runtime.Context.call`, which every call in a template goes through: ours calls plain methods,
  built-in methods and macros straight away instead of looking for `pass_context` markers each time;
- `Environment.code_generator_class` and `Environment.context_class`, the documented ways to plug both in.

What it buys (measured on the bundled site's event page): 200 -> 127 µs, with the renderer's merged
globals (pages.Renderer.page). The output is byte-identical (a test compares the escaping with
markupsafe's on awkward values; the bundled site's output did not change).

- `Template.from_code` takes a template's file name from its code's `co_filename`: SharedCompiledTemplates
  keeps each compiled template once per process, by name, source and words, and gives it to an environment
  of another folder with that folder's file name put in (`CodeType.replace`), so that errors name the
  right file. The cache itself uses only BytecodeCache's documented hooks (get_bucket, set_bucket). It buys
  the compiling of every template in every build after the first of a process whose templates are the
  same but in another folder, or whose site has no build cache: two thirds of a small site's cold build
  (0.9 -> 0.15 s; the test suite builds hundreds of scratch sites, each with its own copy of the templates).
"""

from __future__ import annotations

import types
from types import CodeType
from typing import Any, ClassVar

import jinja2
import jinja2.compiler
import jinja2.runtime
import markupsafe
from markupsafe import Markup

_new_str = str.__new__


def _escape(value: Any) -> Markup:
    """markupsafe.escape(value), quicker for the plain strings and markup that nearly every {{ }} shows:
    a string without a character to escape is made Markup as it is, and Markup is already safe (its
    escape() makes a copy of it through two Python calls)."""
    kind = type(value)
    if kind is str:
        if "&" in value or "<" in value or ">" in value or '"' in value or "'" in value:
            return markupsafe.escape(value)
        return _new_str(Markup, value)
    if kind is Markup:
        return value  # type: ignore[no-any-return]
    return markupsafe.escape(value)


class _CodeGenerator(jinja2.compiler.CodeGenerator):
    """Jinja2's code generator, but each {{ }} of an autoescaped template is escaped by _escape (through
    the environment: the compiled code has no other way to reach it). A fifth of an event page's time
    went into markupsafe.escape. (The compiled templates are kept in a folder named after the build cache's
    fingerprint, which covers this code: Jinja2 would load the old code.)"""

    def _output_child_pre(self, node: Any, frame: Any, finalize: Any) -> None:
        if frame.eval_ctx.volatile or not frame.eval_ctx.autoescape:
            super()._output_child_pre(node, frame, finalize)
            return
        self.write("environment.escape_output(")
        if finalize.src is not None:
            self.write(finalize.src)


_PLAIN: dict[types.FunctionType, bool] = {}  # whether a method's function takes no context from Jinja


class _Context(jinja2.runtime.Context):
    """Jinja2's context, calling plain methods, built-in methods and macros straight away: its own call() looks
    for pass_context and the like on every callable, at every call in a template (a tenth of the
    rendering time of an event page)."""

    def call(__self, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N805 - Jinja2's names
        kind = type(__obj)
        if kind is types.MethodType:
            function = __obj.__func__
            plain = _PLAIN.get(function)
            if plain is None:
                plain = _PLAIN[function] = not hasattr(function, "jinja_pass_arg")
        else:  # (a built-in cannot be marked pass_context, nor is a macro)
            plain = kind is types.BuiltinMethodType or kind is jinja2.runtime.Macro
        if not plain:
            return super().call(__obj, *args, **kwargs)
        if kwargs:
            kwargs.pop("_block_vars", None)
            kwargs.pop("_loop_vars", None)
        try:
            return __obj(*args, **kwargs)
        except StopIteration:
            return __self.environment.undefined("value was undefined because a callable raised a StopIteration "
                                                "exception")


class SpeedyEnvironment(jinja2.Environment):
    """The templates' environment, with the code generator, escaping and context above."""

    code_generator_class = _CodeGenerator
    context_class = _Context
    escape_output = staticmethod(_escape)


class _SharedBucket(jinja2.bccache.Bucket):
    """A bucket that knows what it is kept under in this process."""

    shared_key: tuple[object, str, str]


class SharedCompiledTemplates(jinja2.BytecodeCache):
    """Compiled templates kept in this process for every environment with the same words (`words`: the
    translations compiled into the templates, None for none), whatever folder they were loaded from; and on
    disk in the site's build cache, through `disk`, when given."""

    _compiled: ClassVar[dict[tuple[object, str, str], CodeType]] = {}  # (words, name, source checksum) -> code

    def __init__(self, words: object, disk: jinja2.BytecodeCache | None = None) -> None:
        self.words = words
        self.disk = disk

    def get_bucket(self, environment: jinja2.Environment, name: str, filename: str | None,
                   source: str) -> jinja2.bccache.Bucket:
        checksum = self.get_source_checksum(source)
        bucket = _SharedBucket(environment, (self.disk or self).get_cache_key(name, filename), checksum)
        bucket.shared_key = (self.words, name, checksum)
        code = self._compiled.get(bucket.shared_key)
        if code is not None:
            bucket.code = code if filename is None or code.co_filename == filename else _retargeted(code, filename)
            if self.disk is not None:  # (for the next process)
                self.disk.dump_bytecode(bucket)
        elif self.disk is not None:
            self.disk.load_bytecode(bucket)
            if bucket.code is not None:
                self._compiled[bucket.shared_key] = bucket.code
        return bucket

    def set_bucket(self, bucket: jinja2.bccache.Bucket) -> None:
        if isinstance(bucket, _SharedBucket) and bucket.code is not None:
            self._compiled[bucket.shared_key] = bucket.code
        if self.disk is not None:
            self.disk.dump_bytecode(bucket)

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:  # (get_bucket does it)
        pass

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:  # (set_bucket does it)
        pass


def _retargeted(code: CodeType, filename: str) -> CodeType:
    """The code (and the code of the functions it defines) as if compiled from the file filename."""
    constants = tuple(_retargeted(c, filename) if isinstance(c, CodeType) else c for c in code.co_consts)
    return code.replace(co_filename=filename, co_consts=constants)
