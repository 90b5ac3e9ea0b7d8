"""Two per-message costs of Daphne's WebSocket stack, removed for the charger gateway (issue 3).

Both showed in a sampling profile of one worker at full speed (about 2,000 OCPP messages/s):

1. **Writes wait for the next loop turn.** Twisted queues every write and registers the
   socket for writability (an ``epoll_ctl``), sends on the next turn of the loop, then
   unregisters it (another ``epoll_ctl``): two system calls and a loop turn per answer, a
   tenth of the worker's time. On a socket with ``TCP_NODELAY`` (autobahn sets it on every
   WebSocket) and nothing queued, :func:`install` sends at once; what the kernel does not
   take is queued the usual way, so order and back-pressure are unchanged. Sockets that
   keep Nagle's algorithm (plain HTTP) and TLS connections are left alone.
2. **Unmasking builds a native object per frame.** autobahn unmasks each incoming frame
   with a masker made through cffi (allocations and a finalizer per frame), which cost
   more than parsing the frame's JSON. Frames up to :data:`SMALL_FRAME` bytes (every OCPP
   message in practice) are unmasked with one integer XOR instead; larger ones keep
   autobahn's SIMD masker.

:func:`install` is called by the ASGI module; it checks that the library internals it
relies on are there and leaves everything as it is (with a warning) when they are not.
"""

from __future__ import annotations

import logging

log = logging.getLogger(__name__)

SMALL_FRAME = 64 * 1024
_installed = False


class IntXorMasker:
    """RFC 6455 masking with Python integers; the interface of autobahn's maskers."""

    __slots__ = ("_mask", "_ptr")

    def __init__(self, mask: bytes):
        if len(mask) != 4:
            raise ValueError("a WebSocket mask has 4 bytes")
        self._mask = bytes(mask)
        self._ptr = 0

    def pointer(self) -> int:
        return self._ptr

    def reset(self) -> None:
        self._ptr = 0

    def process(self, data) -> bytes:
        n = len(data)
        if not n:
            return b""
        shift = self._ptr & 3
        key = (self._mask[shift:] + self._mask[:shift]) * ((n + 3) // 4)
        self._ptr += n
        return (int.from_bytes(data, "little") ^ int.from_bytes(key[:n], "little")).to_bytes(n, "little")


def _masker_factory(original):
    def create_xor_masker(mask, length=None):
        if length is not None and length <= SMALL_FRAME:
            return IntXorMasker(mask)
        return original(mask, length)

    create_xor_masker.original = original
    return create_xor_masker


def write_through(self, data: bytes) -> None:
    """``tcp.Connection.write`` that sends at once when it can (see the module's docstring)."""
    if (
        self._wcc_nodelay and data and not self.TLS and self.connected and not self.disconnecting
        and not self._writeDisconnected and not self._tempDataBuffer and self.offset == len(self.dataBuffer)
    ):
        try:
            sent = self.socket.send(data)
        except OSError:  # would block, interrupted or broken: the queued path sees to it
            sent = 0
        if sent == len(data):
            return
        data = data[sent:]
    write_through.original(self, data)


def _set_nodelay_factory(original):
    def setTcpNoDelay(self, enabled):  # noqa: N802 - Twisted's name
        original(self, enabled)
        self._wcc_nodelay = bool(enabled)

    setTcpNoDelay.original = original
    return setTcpNoDelay


def install() -> bool:
    """Apply both changes once per process; False (and a warning) if the libraries differ."""
    global _installed
    if _installed:
        return True
    try:
        from autobahn.websocket import protocol
        from twisted.internet import abstract, tcp

        masker = protocol.create_xor_masker
        write = tcp.Connection.write
        set_nodelay = tcp.Connection.setTcpNoDelay
        probe = abstract.FileDescriptor.__new__(abstract.FileDescriptor)
        expected = (probe.dataBuffer == b"" and probe.offset == 0 and probe._writeDisconnected is False
                    and "_tempDataBuffer" in abstract.FileDescriptor.__init__.__code__.co_names
                    and tcp.Connection.TLS is False)
    except (ImportError, AttributeError) as exc:
        log.warning("WebSocket fast path not installed: %s", exc)
        return False
    if not expected:
        log.warning("WebSocket fast path not installed: Twisted's write buffer is not as expected")
        return False
    protocol.create_xor_masker = _masker_factory(masker)
    write_through.original = write
    tcp.Connection.write = write_through
    tcp.Connection._wcc_nodelay = False
    tcp.Connection.setTcpNoDelay = _set_nodelay_factory(set_nodelay)
    _installed = True
    return True
