#!/usr/bin/env python3
"""Drives `handoff submit` in prompt mode on a real pseudo-terminal: answers each question from a
list of answers (one per prompt, in order), and prints a JSON summary of the prompts seen, the
output and the exit status.

  prompt_driver.py HANDOFF_BINARY ANSWERS_JSON ARG...
"""
import json, os, pty, select, sys, time

binary, answers = sys.argv[1], json.loads(sys.argv[2])
args = sys.argv[3:]
pid, fd = pty.fork()
if pid == 0:
    os.execv(binary, [binary] + args)

output, prompts, pending, answered_at = b"", [], list(answers), 0
deadline = time.time() + 60
while time.time() < deadline:
    ready, _, _ = select.select([fd], [], [], 0.2)
    if fd not in ready:
        continue
    try:
        chunk = os.read(fd, 4096)
    except OSError:
        break
    if not chunk:
        break
    output += chunk
    fresh = output[answered_at:].decode("utf-8", "replace")
    # A question is a line that ends with ": " and waits for the answer.
    if fresh.endswith(": ") and pending:
        prompts.append(fresh.replace("\r", "").split("\n")[-1].strip())
        os.write(fd, (pending.pop(0) + "\n").encode())
        answered_at = len(output)
# Never wait for ever: a child still asking after the deadline is killed, and the test fails.
finished, status = os.waitpid(pid, os.WNOHANG)
if finished == 0:
    time.sleep(2)
    finished, status = os.waitpid(pid, os.WNOHANG)
    if finished == 0:
        os.kill(pid, 9)
        _, status = os.waitpid(pid, 0)
print(json.dumps({"prompts": prompts, "output": output.decode("utf-8", "replace"), "status": os.waitstatus_to_exitcode(status)}))
