"""wccportal.lib.wire: WebSocket frames unmasked with an integer XOR, and writes on
no-delay sockets sent at once, against the real autobahn masker and a real Twisted
connection over a socket pair (only the reactor is a recorder)."""

import random
import socket

import pytest
from autobahn.websocket import protocol
from twisted.internet import error, tcp

from wccportal.lib import wire


@pytest.fixture(autouse=True)
def installed():
    assert wire.install() is True  # fails loudly if Twisted or autobahn changed underneath


def test_install_patches_the_masker_and_the_write_once():
    assert protocol.create_xor_masker.original is not None
    assert tcp.Connection.write is wire.write_through
    assert wire.install() is True
    assert tcp.Connection.write is wire.write_through  # not wrapped twice


@pytest.mark.parametrize("seed", range(5))
def test_integer_unmasking_matches_autobahn_in_any_chunks(seed):
    rng = random.Random(seed)
    original = protocol.create_xor_masker.original
    for length in [0, 1, 3, 4, 5, 127, 128, 129, 1000, 5000]:
        mask = rng.randbytes(4)
        data = rng.randbytes(length)
        ours, theirs = wire.IntXorMasker(mask), original(mask, length)
        cuts = sorted(rng.sample(range(length + 1), min(3, length + 1)))
        out = b""
        for start, end in zip([0, *cuts], [*cuts, length], strict=True):
            out += ours.process(data[start:end])
        assert out == theirs.process(data)
        assert ours.pointer() == length
        assert ours.process(out[:0]) == b""
        ours.reset()
        assert ours.pointer() == 0
        assert ours.process(out) == data  # masking twice gives the data back


def test_small_frames_use_the_integer_masker_and_large_ones_autobahns():
    assert isinstance(protocol.create_xor_masker(b"abcd", 300), wire.IntXorMasker)
    assert not isinstance(protocol.create_xor_masker(b"abcd", wire.SMALL_FRAME + 1), wire.IntXorMasker)
    assert not isinstance(protocol.create_xor_masker(b"abcd"), wire.IntXorMasker)
    with pytest.raises(ValueError):
        wire.IntXorMasker(b"abc")


class RecordingReactor:
    def __init__(self):
        self.writers = set()

    def addWriter(self, fd):  # noqa: N802 - Twisted's interface
        self.writers.add(fd)

    def removeWriter(self, fd):  # noqa: N802
        self.writers.discard(fd)


@pytest.fixture
def pair():
    ours, peer = socket.socketpair()
    ours.setblocking(False)
    peer.settimeout(5)
    reactor = RecordingReactor()
    conn = tcp.Connection(ours, None, reactor)
    conn.connected = 1
    yield conn, peer, reactor
    ours.close()
    peer.close()


def test_without_no_delay_a_write_waits_for_the_loop(pair):
    conn, peer, reactor = pair
    conn.write(b"hello")
    assert reactor.writers == {conn}
    peer.setblocking(False)
    with pytest.raises(BlockingIOError):
        peer.recv(10)
    conn.doWrite()
    peer.setblocking(True)
    assert peer.recv(10) == b"hello"
    assert reactor.writers == set()


def test_with_no_delay_a_write_is_sent_at_once(pair):
    conn, peer, reactor = pair
    conn._wcc_nodelay = True  # what setTcpNoDelay(True) records (a socket pair has no TCP options)
    conn.write(b"hello")
    conn.write(b" world")
    assert reactor.writers == set()
    assert peer.recv(20) == b"hello world"


def test_what_the_kernel_does_not_take_is_queued_in_order(pair):
    conn, peer, reactor = pair
    conn._wcc_nodelay = True
    big = bytes(range(256)) * 40_000  # far more than a socket buffer
    conn.write(big)
    assert reactor.writers == {conn}  # the rest waits for writability
    conn.write(b"tail")  # queued behind it, never sent ahead
    received = bytearray()
    while len(received) < len(big) + 4:
        received += peer.recv(1 << 20)
        if conn in reactor.writers:
            conn.doWrite()
    assert bytes(received) == big + b"tail"
    assert reactor.writers == set()


def test_set_no_delay_is_recorded(pair):
    conn, _peer, _reactor = pair
    assert conn._wcc_nodelay is False
    conn.setTcpNoDelay(True)
    assert conn._wcc_nodelay is True
    conn.setTcpNoDelay(False)
    assert conn._wcc_nodelay is False


def test_a_broken_socket_is_left_to_twisteds_queued_path(pair):
    conn, peer, reactor = pair
    conn._wcc_nodelay = True
    peer.close()
    conn.write(b"x" * 10)  # the send fails (broken pipe): no exception here, the data is queued
    assert reactor.writers == {conn}
    assert isinstance(conn.doWrite(), error.ConnectionLost)  # Twisted then reports the loss
