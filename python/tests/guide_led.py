import time
import msgpackrpc

# Create an RPC object
rpc = msgpackrpc.MsgPackRPC()

# Start the remote processor.
rpc.start(firmware=0x08180000)

# Toggle the LED every 500ms
while True:
    rpc.call("led", True)
    time.sleep_ms(500)
    rpc.call("led", False)
    time.sleep_ms(500)
