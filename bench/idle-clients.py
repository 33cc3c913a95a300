#!/usr/bin/env python3
"""Opens N keep-alive connections to 127.0.0.1:PORT, sends one GET on each, reads every answer, then holds the
connections open for SECONDS, so that the server's resident size can be read meanwhile (ps -o rss= -p PID).

    bench/idle-clients.py PORT [N=1000] [SECONDS=10]
"""
import socket
import sys
import time

port = int(sys.argv[1])
count = int(sys.argv[2]) if len(sys.argv) > 2 else 1000
hold = float(sys.argv[3]) if len(sys.argv) > 3 else 10
connections = []
for _ in range(count):
    connection = socket.create_connection(("127.0.0.1", port))
    connection.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    connections.append(connection)
answered = 0
for connection in connections:
    data = b""
    while b"\r\n\r\n" not in data:
        data += connection.recv(65536)
    head, body = data.split(b"\r\n\r\n", 1)
    length = next(int(line.split(b":", 1)[1]) for line in head.split(b"\r\n")
                  if line.lower().startswith(b"content-length:"))
    while len(body) < length:
        body += connection.recv(65536)
    answered += head.startswith(b"HTTP/1.1 200")
print(f"{answered} of {count} connections answered 200; holding them for {hold:g} s", flush=True)
time.sleep(hold)
