#!/usr/bin/env python3
"""A tiny, misbehaving DNS server on 127.0.0.1 for tests (UDP). It answers what dnsmasq will
not serve: names containing 'loop' get a CNAME loop (NAME -> b.NAME -> NAME), names containing
'garbage' get a reply with the query's id and junk after the header, and names containing
'silent' get no answer at all. Anything else: NXDOMAIN. Prints 'PORT <n>' and exits when its
stdin closes."""
import os
import socket
import struct
import sys
import threading


def name_at(data, offset):
    labels = []
    while data[offset] != 0:
        length = data[offset]
        labels.append(data[offset + 1:offset + 1 + length].decode("ascii", "replace"))
        offset += 1 + length
    return ".".join(labels), offset + 1


def encode(name):
    return b"".join(bytes([len(part)]) + part.encode() for part in name.split(".")) + b"\0"


def cname(owner, target):
    rdata = encode(target)
    return encode(owner) + struct.pack(">HHIH", 5, 1, 60, len(rdata)) + rdata


def main():
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    print(f"PORT {sock.getsockname()[1]}", flush=True)

    def watch():
        while sys.stdin.buffer.read(4096):
            pass
        os._exit(0)

    threading.Thread(target=watch, daemon=True).start()
    while True:
        data, peer = sock.recvfrom(4096)
        if len(data) < 12:
            continue
        ident = data[:2]
        name, end = name_at(data, 12)
        question = data[12:end + 4]
        lowered = name.lower()
        if "silent" in lowered:
            continue
        if "garbage" in lowered:
            sock.sendto(ident + b"\x81\x80\x00\x01\x00\x05\x00\x00\x00\x00" + b"\xff\x13\x07junk!", peer)
            continue
        if "loop" in lowered:
            other = "b." + name
            answers = cname(name, other) + cname(other, name)
            sock.sendto(ident + struct.pack(">HHHHH", 0x8180, 1, 2, 0, 0) + question + answers, peer)
            continue
        sock.sendto(ident + struct.pack(">HHHHH", 0x8183, 1, 0, 0, 0) + question, peer)


if __name__ == "__main__":
    main()
