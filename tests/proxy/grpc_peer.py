#!/usr/bin/python3
"""A real gRPC peer (Debian's python3-grpcio) for the proxy's HTTP/2 tests.

  grpc_peer.py server PORT_FILE [FAIL_FIRST]
      An echo service, crossmesh.Echo/Say, on 127.0.0.1 (port written to PORT_FILE). The first
      FAIL_FIRST calls fail with UNAVAILABLE, to exercise retry policies; a message that starts
      with "sleep:<ms>;" is answered after that many milliseconds. Also crossmesh.Echo/Chat, a
      bidirectional stream answering each message as it comes ("echo:" + message); the message
      "abort" ends it with INVALID_ARGUMENT, "exit" ends the whole server process after its
      reply. The end of every Chat is noted as a line "ended <unix time>" in PORT_FILE.events.
  grpc_peer.py chat TARGET MESSAGE...
      One Chat call: each MESSAGE is sent once the reply to the one before has arrived ("cancel"
      cancels the call there, keeping the connection: only pauses after it count, "pause:<ms>"
      waits, "fill:<n>" sends n bytes, "crash" prints the result so far and ends the process
      at once, the call and its connection open; a reply over 64 bytes is listed as
      "<n bytes>"), then
      one JSON line: {"replies": [...], "code": ..., "details": ..., "cancelled_at": <unix
      time>}. A proxy that held messages back would stall it until its 10 s deadline.
  grpc_peer.py client TARGET COUNT [BODY_BYTES [CA_FILE SERVER_NAME]]
      COUNT concurrent unary calls over one channel to TARGET (127.0.0.1:port), then one JSON
      line: per call {"reply": ...} or {"code": ..., "details": ...}. With CA_FILE the channel
      is TLS (gRPC requires ALPN h2), trusting CA_FILE and expecting SERVER_NAME. Each message
      starts with $GRPC_PEER_PREFIX (empty by default).
"""
import json
import os
import queue
import sys
import threading
import time
from concurrent import futures

import grpc

METHOD = "/crossmesh.Echo/Say"
CHAT = "/crossmesh.Echo/Chat"
# Loopback only: never go through an HTTP proxy from the environment.
CHANNEL_OPTIONS = [("grpc.enable_http_proxy", 0)]


def serve(port_file, fail_first):
    lock = threading.Lock()
    calls = [0]

    def say(request, context):
        with lock:
            calls[0] += 1
            n = calls[0]
        if n <= fail_first:
            context.abort(grpc.StatusCode.UNAVAILABLE, "warming up")
        if request.startswith(b"sleep:"):
            time.sleep(int(request[6:request.index(b";")]) / 1000)
        return b"echo:" + request

    def chat(requests, context):
        def on_end():
            with lock, open(port_file + ".events", "a") as events:
                events.write("ended %.3f\n" % time.time())

        context.add_callback(on_end)
        for message in requests:
            if message == b"abort":
                context.abort(grpc.StatusCode.INVALID_ARGUMENT, "told to stop")
            yield b"echo:" + message
            if message == b"exit":
                threading.Timer(0.2, lambda: os._exit(3)).start()

    handler = grpc.method_handlers_generic_handler(
        "crossmesh.Echo", {"Say": grpc.unary_unary_rpc_method_handler(say),
                           "Chat": grpc.stream_stream_rpc_method_handler(chat)})
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=8))
    server.add_generic_rpc_handlers((handler,))
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    with open(port_file + ".tmp", "w") as out:
        out.write(str(port))
    os.rename(port_file + ".tmp", port_file)
    server.wait_for_termination()


def open_channel(target, ca_file, server_name):
    if not ca_file:
        return grpc.insecure_channel(target, options=CHANNEL_OPTIONS)
    with open(ca_file, "rb") as ca:
        credentials = grpc.ssl_channel_credentials(root_certificates=ca.read())
    options = CHANNEL_OPTIONS + [("grpc.ssl_target_name_override", server_name)]
    return grpc.secure_channel(target, credentials, options=options)


def call(target, count, body_bytes, ca_file=None, server_name=None):
    with open_channel(target, ca_file, server_name) as channel:
        say = channel.unary_unary(METHOD)
        prefix = os.environ.get("GRPC_PEER_PREFIX", "").encode()
        pending = [say.future(prefix + b"x" * body_bytes + b"#%d" % i, timeout=20)
                   for i in range(count)]
        results = []
        for future in pending:
            try:
                reply = future.result()
                tag = reply[reply.rfind(b"#"):]
                results.append({"reply": (reply[:5] + tag).decode(errors="replace"),
                                "bytes": len(reply)})
            except grpc.RpcError as error:
                results.append({"code": error.code().name, "details": error.details()})
    print(json.dumps(results))


def summary(reply):
    return reply.decode(errors="replace") if len(reply) <= 64 else "<%d bytes>" % len(reply)


def chat(target, messages):
    outgoing = queue.Queue()

    def requests():
        while True:
            message = outgoing.get()
            if message is None:
                return
            yield message

    result = {"replies": []}
    cancelled = False
    with open_channel(target, None, None) as channel:
        call = channel.stream_stream(CHAT)(requests(), timeout=10)
        try:
            for message in messages:
                if message == "cancel":
                    call.cancel()
                    cancelled = True
                    result["cancelled_at"] = time.time()
                    continue
                if message.startswith("pause:"):
                    time.sleep(int(message[6:]) / 1000)
                    continue
                if message == "crash":
                    result["crashed_at"] = time.time()
                    print(json.dumps(result), flush=True)
                    os._exit(0)
                if cancelled:
                    continue
                if message.startswith("fill:"):
                    outgoing.put(b"f" * int(message[5:]))
                else:
                    outgoing.put(message.encode())
                result["replies"].append(summary(next(call)))
            if not cancelled:
                outgoing.put(None)
                for reply in call:
                    result["replies"].append(summary(reply))
            result["code"] = call.code().name
            result["details"] = call.details() or ""
        except grpc.RpcError as error:
            result["code"] = error.code().name
            result["details"] = error.details() or ""
        except StopIteration:
            result["code"] = call.code().name
            result["details"] = call.details() or ""
        if not cancelled:
            outgoing.put(None)  # a half-close, which a cancelled call must not send
    print(json.dumps(result))


if __name__ == "__main__":
    if sys.argv[1] == "chat":
        chat(sys.argv[2], sys.argv[3:])
    elif sys.argv[1] == "server":
        serve(sys.argv[2], int(sys.argv[3]) if len(sys.argv) > 3 else 0)
    else:
        call(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]) if len(sys.argv) > 4 else 16,
             *sys.argv[5:7])
