#!/usr/bin/env python3
"""Writes the seed corpus of the journal fuzzer, Fuzz/Corpus/journal: journals of the fuzzer's
job (workload fuzz, from 0, to 1000; 16 items of 4 bytes), whole, torn and of another job, each
behind the byte that picks the fuzzer's case (0: the file as it is, 1: with the header's checksum
fixed, 2: a journal written and cut by the fuzzer itself)."""
import os
import struct


def crc32c(data):
    crc = 0xFFFFFFFF
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0x82F63B78 if crc & 1 else crc >> 1
    return crc ^ 0xFFFFFFFF


def header(to=1000, version=1, items=16, slot_bytes=4, checksum=None):
    text = (f"hybrid journal {version}\njob workload fuzz\njob from 0\njob to {to}\n"
            f"geometry chunk_width 64\ngeometry items {items}\ngeometry slot_bytes {slot_bytes}\n").encode()
    return text + b"end %08x\n" % (crc32c(text) if checksum is None else checksum)


def record(item, slot):
    body = struct.pack("<Q", item) + slot
    return body + struct.pack("<I", crc32c(body))


records = record(3, b"abcd") + record(0, b"\0\0\0\0") + record(3, b"efgh") + record(15, b"\xff" * 4)
seeds = {
    "whole-empty": b"\0" + header(),
    "whole-4": b"\0" + header() + records,
    "torn": b"\0" + header() + records + record(7, b"wxyz")[:9],
    "damaged": b"\0" + header() + records[:16] + b"X" + records[17:],
    "item-out-of-range": b"\0" + header() + record(16, b"abcd") + record(1, b"abcd"),
    "other-job": b"\0" + header(to=1001) + records,
    "version-2": b"\0" + header(version=2),
    "other-slot-size": b"\1" + header(slot_bytes=8, checksum=0) + record(2, b"12345678"),
    "slot-size-overflow": b"\1" + header(slot_bytes=2**63 - 1, checksum=0),
    "checksum-fixed": b"\1" + header(items=3, checksum=0) + records,
    "cut-grouped": bytes([2, 1, 5, 1, 0x30]) + bytes(range(25)),
    "cut-each": bytes([2, 0, 9, 0, 0xC9]) + bytes(range(5, 50)),
    "cut-other-job": bytes([2, 2, 3, 0, 0xB0]) + bytes(range(15)),
}
directory = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Corpus", "journal")
os.makedirs(directory, exist_ok=True)
for name, data in seeds.items():
    with open(os.path.join(directory, name), "wb") as seed:
        seed.write(data)
