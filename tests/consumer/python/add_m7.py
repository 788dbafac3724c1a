# The consumer pair's M7 as a MicroPython script: serves add(a, b), boots the M4 and prints
# the line it prints. Run with an installed duet-board (tests/consumer/consumer.sh, way python).
import msgpackrpc

rpc = msgpackrpc.MsgPackRPC()
rpc.bind("add", lambda a, b: a + b)
rpc.start(firmware=0x08180000)
line = b""
while not line.endswith(b"\n"):
    chunk = rpc.read(timeout=10000)
    if not chunk:
        break
    line += chunk
print(line.decode(), end="")
