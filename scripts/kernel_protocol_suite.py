#!/usr/bin/env python3
"""Protocol suite for the Apus Jupyter kernel, driven with the real jupyter_client.

Two parts, run together:
- jupyter_kernel_test's KernelTests and IopubWelcomeTests, with every sample attribute set;
- the checks that suite does not make: busy/idle on every request, headers, execution_count
  rules, stop_on_error, interrupts (message and SIGINT) keeping state, stdin round trips,
  comms, update_display_data, stream coalescing and order, user_expressions, completion and
  heartbeat while a cell runs, astral-plane cursors, 10 MB of output in order, bad signatures
  and malformed JSON dropped, kernel_info on control.

Which kernel:
  --connection-file FILE   connect to a kernel that is already running (the XCTest starts one
                           in-process with the test engine; pass --kernel-pid for SIGINT);
  --kernel-cmd "CMD ..."   launch `CMD ... -f {connection_file}` through a temporary kernelspec
                           (e.g. --kernel-cmd ".build/release/apus kernel").
Code samples default to the test engine's line commands (see Tests/KernelTests/LineCommandTestEngine.swift);
--samples FILE.json overrides any of SAMPLES and CONFORMANCE for another engine.
Other modes: --bench N prints latency figures (execute to reply and to idle, kernel_info,
complete; median and p99 over N runs); --probe prints {"session": ...} from kernel_info; --shutdown {shutdown,restart}
sends shutdown_request on control and checks the reply.
No test may skip: a skip makes the run fail.

Needs: jupyter_client, jupyter_kernel_test (which brings jsonschema), pyzmq.
"""
from __future__ import annotations

import argparse
import faulthandler
import hashlib
import hmac
import json
import os
import queue
import re
import shlex
import signal
import sys
import tempfile
import time
import unittest
import uuid

try:
    import jupyter_client
    import jupyter_kernel_test as jkt
    import zmq
    from jupyter_client import BlockingKernelClient, KernelManager
    from jupyter_client.manager import start_new_kernel
    from jupyter_client.session import Session
    from jupyter_kernel_test.msgspec_v5 import schema_fragments, validate_message
except ImportError as error:  # reported plainly: CI must install these
    print(f"kernel_protocol_suite: missing Python package: {error}; "
          "install jupyter_client and jupyter_kernel_test", file=sys.stderr)
    sys.exit(3)

TARGET: dict = {"connection_file": None, "kernel_name": None, "kernel_pid": None}

# Code for the protocol checks, in the test engine's commands.
SAMPLES = {
    "assign": "v = 41",
    "read_back": "v+1",
    "read_back_result": "42",
    "trivial": "1+1",
    "trivial_result": "2",
    "three_prints": "print a\nprint b\nprint c",
    "three_prints_text": "a\nb\nc\n",
    "interleaved": "print 1\neprint 2\nprint 3",
    "error_after_delay": "sleep 0.3\nerror TestError boom",
    "error_name": "TestError",
    "long_cell": "sleep 30",
    "interrupt_ename": "KeyboardInterrupt",
    "input": "input your name?",
    "input_prompt": "your name?",
    "input_echo": "got: {value}\n",
    "print_then_input": "print before\ninput next?",
    "password": "password secret?",
    "stdin_refused_ename": "StdinNotImplementedError",
    "display_update": "show d1 first\nupdate d1 second",
    "display_id": "d1",
    "clear_wait": "print x\nclear wait\nprint y",
    "open_comm": "comm echo",
    "echo_target": "echo",
    "flood_10mb": "flood 10000000",
    "user_expression_ok": ("v*2", "82"),
    "user_expression_error": "nope",
    "complete_prefix": "pri",
    "complete_match": "print",
    "inspect_name": "print",
}

CONFORMANCE = {
    "language_name": "apus",
    "file_extension": ".apus",
    "code_hello_world": "print hello, world",
    "code_stderr": "eprint oops",
    "completion_samples": [{"text": "pri", "matches": ["print"]}, {"text": "fl", "matches": ["flood"]}],
    "complete_code_samples": ["print hi", "1+1"],
    "incomplete_code_samples": ["sleep 1:", "(1+"],
    "invalid_code_samples": ["!!bad"],
    "code_page_something": "?print",
    "code_generate_error": "error ValueError boom",
    "code_execute_result": [{"code": "6*7", "result": "42"}, {"code": "1+1", "result": "2"},
                            {"code": "html hi", "mime": "text/html"}],
    "code_display_data": [{"code": "display image/png logo", "mime": "image/png"},
                          {"code": "display text/html <b>x</b>", "mime": "text/html"}],
    "code_history_pattern": "6?7",
    "supported_history_operations": ["tail", "range", "search"],
    "code_inspect_sample": "print",
    "code_clear_output": "clear",
}

# The same checks in the Apus language, for the real kernel (`--apus`), plus ApusScriptTests.
APUS_SAMPLES = {
    "assign": "v = 41",
    "read_back": "v+1",
    "read_back_result": "42",
    "trivial": "1+1",
    "trivial_result": "2",
    "three_prints": "print('a')\nprint('b')\nprint('c')",
    "three_prints_text": "a\nb\nc\n",
    "interleaved": "import sys\nprint(1)\nsys.stderr.write('2\\n')\nprint(3)",
    "error_after_delay": "import time\ntime.sleep(0.3)\nraise ValueError('boom')",
    "error_name": "ValueError",
    "long_cell": "import time\ntime.sleep(30)",
    "interrupt_ename": "KeyboardInterrupt",
    "input": "name = input('your name?')\nprint('got: ' + name)",
    "input_prompt": "your name?",
    "input_echo": "got: {value}\n",
    "print_then_input": "print('before')\ninput('next?')",
    "stdin_refused_ename": "StdinNotImplementedError",
    "display_update": "display(HTML('first'), display_id='d1')\nupdate_display(HTML('second'), display_id='d1')",
    "display_id": "d1",
    "clear_wait": "print('x')\nclear_output(wait=True)\nprint('y')",
    "flood_10mb": "s = 'x' * 89\nfor i in range(100000):\n    print('%09d ' % i + s)",
    "user_expression_ok": ("v*2", "82"),
    "user_expression_error": "nope",
    "complete_prefix": "pri",
    "complete_match": "print",
    "inspect_name": "print",
}

APUS_CONFORMANCE = {
    "language_name": "apus",
    "file_extension": ".apus",
    "code_hello_world": "print('hello, world')",
    "code_stderr": "import sys\nsys.stderr.write('oops\\n')",
    "completion_samples": [{"text": "pri", "matches": ["print"]}, {"text": "isinst", "matches": ["isinstance"]}],
    "complete_code_samples": ["print('hi')", "1+1", "def f(x):\n    return x\n\n"],
    "incomplete_code_samples": ["def f(x):", "(1 +"],
    "invalid_code_samples": ["x = = 1"],
    "code_page_something": "?print",
    "code_generate_error": "raise ValueError('boom')",
    "code_execute_result": [{"code": "6*7", "result": "42"}, {"code": "1+1", "result": "2"},
                            {"code": "HTML('<b>x</b>')", "mime": "text/html"}],
    "code_display_data": [{"code": "class P:\n    def _repr_png_(self):\n        return 'iVBORw0KGgo='\n\ndisplay(P())",
                           "mime": "image/png"},
                          {"code": "display(HTML('<b>x</b>'))", "mime": "text/html"}],
    "code_history_pattern": "6?7",
    "supported_history_operations": ["tail", "range", "search"],
    "code_inspect_sample": "print",
    "code_clear_output": "clear_output()",
}

# Protocol checks that need the test engine's commands (a password prompt; comms to its echo
# target): the real kernel's comms are checked by ApusScriptTests instead.
TEST_ENGINE_ONLY = {"test_password_request", "test_comm_open_message_close", "test_kernel_opens_a_comm"}

DATE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}(Z|\+00:00)$")


def connect():
    """A started, ready client (and its manager when the suite launched the kernel)."""
    if TARGET["connection_file"]:
        kc = BlockingKernelClient()
        kc.load_connection_file(TARGET["connection_file"])
        kc.start_channels()
        kc.wait_for_ready(timeout=30)
        return None, kc
    return start_new_kernel(kernel_name=TARGET["kernel_name"], startup_timeout=30)


def disconnect(km, kc):
    kc.stop_channels()
    if km is not None:
        km.shutdown_kernel()


def drain(channel, wait=0.05):
    out = []
    while True:
        try:
            out.append(channel.get_msg(timeout=wait))
        except queue.Empty:
            return out


def reply_for(channel, msg_id, timeout=15):
    deadline = time.monotonic() + timeout
    while True:
        msg = channel.get_msg(timeout=max(0.01, deadline - time.monotonic()))
        if msg["parent_header"].get("msg_id") == msg_id:
            return msg


def iopub_until_idle(kc, msg_id, timeout=15):
    """This request's IOPub messages from busy to idle, inclusive."""
    deadline = time.monotonic() + timeout
    msgs = []
    while True:
        msg = kc.get_iopub_msg(timeout=max(0.01, deadline - time.monotonic()))
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        msgs.append(msg)
        if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
            return msgs


def validated(msgs):
    """Validates against jupyter_kernel_test's schemas the messages it has one for (not comms,
    iopub_welcome, or input_request, whose schema types `password` as a number)."""
    for msg in msgs:
        if msg["msg_type"] in schema_fragments and msg["msg_type"] != "input_request":
            validate_message(msg)
    return msgs


def send_control(kc, msg_type, content=None):
    msg = kc.session.msg(msg_type, content or {})
    kc.control_channel.send(msg)
    return msg["header"]["msg_id"]


def send_shell(kc, msg_type, content=None):
    msg = kc.session.msg(msg_type, content or {})
    kc.shell_channel.send(msg)
    return msg["header"]["msg_id"]


class ConnectedKernel:
    """Connects once per test class (to the given kernel, or to one it launches)."""

    @classmethod
    def setUpClass(cls):
        cls.km, cls.kc = connect()

    @classmethod
    def tearDownClass(cls):
        disconnect(cls.km, cls.kc)


class ApusConformance(ConnectedKernel, jkt.KernelTests):
    kernel_name = "apus-under-test"


class ApusIopubWelcome(jkt.IopubWelcomeTests):
    kernel_name = "apus-under-test"
    support_iopub_welcome = True

    @classmethod
    def setUpClass(cls):
        if TARGET["connection_file"]:
            cls.km = None
            cls.kc = BlockingKernelClient()
            cls.kc.load_connection_file(TARGET["connection_file"])
        else:
            cls.km = KernelManager(kernel_name=TARGET["kernel_name"])
            cls.km.start_kernel()
            cls.kc = cls.km.client()

    @classmethod
    def tearDownClass(cls):
        disconnect(cls.km, cls.kc)


class ProtocolTests(ConnectedKernel, unittest.TestCase):
    def setUp(self):
        drain(self.kc.iopub_channel)
        drain(self.kc.shell_channel, 0.01)

    def run_cell(self, code, timeout=15, **kwargs):
        msg_id = self.kc.execute(code, **kwargs)
        reply = reply_for(self.kc.shell_channel, msg_id, timeout)
        msgs = iopub_until_idle(self.kc, msg_id, timeout)
        validated([reply] + msgs)
        return reply, msgs

    def outputs(self, msgs):
        return [m for m in msgs if m["msg_type"] not in ("status", "execute_input")]

    def kernel_session(self):
        msg_id = self.kc.kernel_info()
        return reply_for(self.kc.shell_channel, msg_id)["header"]["session"]

    def interrupt(self):
        msg_id = send_control(self.kc, "interrupt_request")
        reply = reply_for(self.kc.control_channel, msg_id)
        validate_message(reply, "interrupt_reply", msg_id)

    def wait_busy(self, msg_id):
        while True:
            msg = self.kc.get_iopub_msg(timeout=5)
            if msg["parent_header"].get("msg_id") == msg_id and msg["msg_type"] == "execute_input":
                return

    # -- status and headers

    def test_every_request_is_wrapped_in_busy_and_idle(self):
        requests = {
            "kernel_info": lambda: self.kc.kernel_info(),
            "complete": lambda: self.kc.complete("pri", 3),
            "inspect": lambda: self.kc.inspect("print", 5),
            "is_complete": lambda: self.kc.is_complete("1+"),
            "history": lambda: self.kc.history(hist_access_type="tail", n=1),
            "comm_info": lambda: self.kc.comm_info(),
        }
        for name, send in requests.items():
            with self.subTest(request=name):
                msg_id = send()
                reply = reply_for(self.kc.shell_channel, msg_id)
                validate_message(reply, f"{name}_reply", msg_id)
                states = [m["content"]["execution_state"] for m in iopub_until_idle(self.kc, msg_id)]
                self.assertEqual(states, ["busy", "idle"])

    def test_headers_have_version_session_date_and_fresh_ids(self):
        session = self.kernel_session()
        reply, msgs = self.run_cell(SAMPLES["three_prints"])
        ids = set()
        for msg in [reply] + msgs:
            header = msg["header"]
            self.assertEqual(header["version"], "5.5")
            self.assertEqual(header["session"], session)
            self.assertNotEqual(header["session"], self.kc.session.session)
            date = header["date"] if isinstance(header["date"], str) else header["date"].isoformat()
            self.assertRegex(date, DATE)
            ids.add(header["msg_id"])
        self.assertEqual(len(ids), len(msgs) + 1)

    def test_kernel_info_on_control(self):
        msg_id = send_control(self.kc, "kernel_info_request")
        reply = reply_for(self.kc.control_channel, msg_id)
        validate_message(reply, "kernel_info_reply", msg_id)
        self.assertEqual(reply["content"]["protocol_version"], "5.5")
        self.assertEqual(reply["content"]["language_info"]["name"], CONFORMANCE["language_name"])

    # -- execution

    def test_execution_count_rules(self):
        reply, msgs = self.run_cell("", silent=True)
        count = reply["content"]["execution_count"]
        self.assertEqual([m["msg_type"] for m in msgs], ["status", "status"])
        reply, msgs = self.run_cell(SAMPLES["trivial"])
        self.assertEqual(reply["content"]["execution_count"], count + 1)
        inputs = [m for m in msgs if m["msg_type"] == "execute_input"]
        self.assertEqual(inputs[0]["content"]["execution_count"], count + 1)
        results = [m for m in msgs if m["msg_type"] == "execute_result"]
        self.assertEqual(results[0]["content"]["execution_count"], count + 1)
        self.assertEqual(results[0]["content"]["data"]["text/plain"], SAMPLES["trivial_result"])
        reply, msgs = self.run_cell(SAMPLES["trivial"], silent=True)
        self.assertEqual(reply["content"]["execution_count"], count + 1)
        self.assertEqual([m["msg_type"] for m in msgs], ["status", "status"])
        reply, _ = self.run_cell(SAMPLES["trivial"], store_history=False)
        self.assertEqual(reply["content"]["execution_count"], count + 1)
        reply, _ = self.run_cell(SAMPLES["trivial"])
        self.assertEqual(reply["content"]["execution_count"], count + 2)

    def test_streams_are_coalesced(self):
        _, msgs = self.run_cell(SAMPLES["three_prints"])
        streams = [m["content"] for m in msgs if m["msg_type"] == "stream"]
        self.assertEqual(streams, [{"name": "stdout", "text": SAMPLES["three_prints_text"]}])

    def test_stdout_and_stderr_keep_their_order(self):
        _, msgs = self.run_cell(SAMPLES["interleaved"])
        streams = [(m["content"]["name"], m["content"]["text"]) for m in msgs if m["msg_type"] == "stream"]
        self.assertEqual(streams, [("stdout", "1\n"), ("stderr", "2\n"), ("stdout", "3\n")])

    def test_no_output_after_idle(self):
        msg_id = self.kc.execute(SAMPLES["three_prints"])
        iopub_until_idle(self.kc, msg_id)
        late = [m for m in drain(self.kc.iopub_channel, 0.3) if m["parent_header"].get("msg_id") == msg_id]
        self.assertEqual(late, [])

    def test_user_expressions(self):
        expression, expected = SAMPLES["user_expression_ok"]
        self.run_cell(SAMPLES["assign"])
        reply, _ = self.run_cell(SAMPLES["trivial"], user_expressions={"a": expression,
                                                                        "b": SAMPLES["user_expression_error"]})
        results = reply["content"]["user_expressions"]
        self.assertEqual(results["a"]["status"], "ok")
        self.assertEqual(results["a"]["data"]["text/plain"], expected)
        self.assertEqual(results["b"]["status"], "error")
        self.assertIn("ename", results["b"])

    def test_stop_on_error_aborts_queued_requests(self):
        first = self.kc.execute(SAMPLES["error_after_delay"])
        queued = [self.kc.execute(SAMPLES["trivial"]) for _ in range(2)]
        replies = [reply_for(self.kc.shell_channel, msg_id) for msg_id in [first] + queued]
        for reply in replies:
            validate_message(reply, "execute_reply")
        self.assertEqual(replies[0]["content"]["ename"], SAMPLES["error_name"])
        for reply in replies[1:]:
            self.assertEqual(reply["content"]["status"], "error")
            self.assertEqual(reply["content"]["ename"], "ExecutionAborted")
        for msg_id in queued:  # aborted requests are still wrapped in busy/idle
            states = [m["content"]["execution_state"] for m in iopub_until_idle(self.kc, msg_id) if m["msg_type"] == "status"]
            self.assertEqual(states, ["busy", "idle"])
        reply, _ = self.run_cell(SAMPLES["trivial"])
        self.assertEqual(reply["content"]["status"], "ok")

    def test_request_sent_after_an_error_reply_is_not_aborted(self):
        # Only requests queued before the front-end could know of the error are aborted; one
        # sent in answer to the error reply runs (a race the kernel once lost now and then).
        for _ in range(30):
            failing = self.kc.execute(CONFORMANCE["code_generate_error"])
            self.assertEqual(reply_for(self.kc.shell_channel, failing)["content"]["status"], "error")
            after = self.kc.execute(SAMPLES["trivial"])
            self.assertEqual(reply_for(self.kc.shell_channel, after)["content"]["status"], "ok")
            iopub_until_idle(self.kc, failing)
            iopub_until_idle(self.kc, after)

    def test_without_stop_on_error_queued_requests_run(self):
        first = self.kc.execute(SAMPLES["error_after_delay"], stop_on_error=False)
        second = self.kc.execute(SAMPLES["trivial"])
        self.assertEqual(reply_for(self.kc.shell_channel, first)["content"]["status"], "error")
        self.assertEqual(reply_for(self.kc.shell_channel, second)["content"]["status"], "ok")

    def test_error_reply_and_message(self):
        reply, msgs = self.run_cell(SAMPLES["error_after_delay"])
        self.assertEqual(reply["content"]["status"], "error")
        errors = [m for m in msgs if m["msg_type"] == "error"]
        self.assertEqual(len(errors), 1)
        self.assertEqual(errors[0]["content"]["ename"], SAMPLES["error_name"])
        self.assertTrue(errors[0]["content"]["traceback"])

    # -- interrupts

    def interrupted_cell_keeps_state(self, interrupt):
        self.run_cell(SAMPLES["assign"])
        msg_id = self.kc.execute(SAMPLES["long_cell"])
        self.wait_busy(msg_id)
        started = time.monotonic()
        interrupt()
        reply = reply_for(self.kc.shell_channel, msg_id, timeout=5)
        latency = time.monotonic() - started
        iopub_until_idle(self.kc, msg_id)
        self.assertEqual(reply["content"]["status"], "error")
        self.assertEqual(reply["content"]["ename"], SAMPLES["interrupt_ename"])
        self.assertLess(latency, 1.0)
        print(f"  interrupt latency {latency * 1000:.1f} ms", file=sys.stderr)
        reply, msgs = self.run_cell(SAMPLES["read_back"])
        results = [m for m in msgs if m["msg_type"] == "execute_result"]
        self.assertEqual(results[0]["content"]["data"]["text/plain"], SAMPLES["read_back_result"])

    def test_interrupt_request_keeps_state(self):
        self.interrupted_cell_keeps_state(self.interrupt)

    def test_sigint_interrupts_and_keeps_state(self):
        def sigint():
            if self.km is not None:
                self.km.signal_kernel(signal.SIGINT)
            else:
                self.assertIsNotNone(TARGET["kernel_pid"], "--kernel-pid is needed for the SIGINT test")
                os.kill(TARGET["kernel_pid"], signal.SIGINT)
        self.interrupted_cell_keeps_state(sigint)

    def test_interrupt_sent_on_hearing_busy_is_never_lost(self):
        # A front-end may interrupt as soon as it hears `busy`, before the cell has started to
        # run: the interrupt must still stop that cell (message and SIGINT, many times over).
        self.run_cell(SAMPLES["assign"])
        for round in range(16):
            msg_id = self.kc.execute(SAMPLES["long_cell"])
            while True:
                msg = self.kc.get_iopub_msg(timeout=5)
                if (msg["parent_header"].get("msg_id") == msg_id and msg["msg_type"] == "status"
                        and msg["content"]["execution_state"] == "busy"):
                    break
            if round % 2 == 0:
                self.interrupt()
            elif self.km is not None:
                self.km.signal_kernel(signal.SIGINT)
            else:
                self.assertIsNotNone(TARGET["kernel_pid"], "--kernel-pid is needed for the SIGINT test")
                os.kill(TARGET["kernel_pid"], signal.SIGINT)
            reply = reply_for(self.kc.shell_channel, msg_id, timeout=5)
            iopub_until_idle(self.kc, msg_id)
            self.assertEqual(reply["content"]["ename"], SAMPLES["interrupt_ename"], f"round {round}")
        reply, msgs = self.run_cell(SAMPLES["read_back"])
        results = [m for m in msgs if m["msg_type"] == "execute_result"]
        self.assertEqual(results[0]["content"]["data"]["text/plain"], SAMPLES["read_back_result"])

    def test_sigint_while_idle_is_harmless(self):
        if self.km is not None:
            self.km.signal_kernel(signal.SIGINT)
        else:
            self.assertIsNotNone(TARGET["kernel_pid"], "--kernel-pid is needed for the SIGINT test")
            os.kill(TARGET["kernel_pid"], signal.SIGINT)
        time.sleep(0.1)
        reply, _ = self.run_cell(SAMPLES["trivial"])
        self.assertEqual(reply["content"]["status"], "ok")

    # -- answered while a cell runs

    def test_completion_inspection_and_heartbeat_while_busy(self):
        msg_id = self.kc.execute(SAMPLES["long_cell"])
        self.wait_busy(msg_id)
        try:
            started = time.monotonic()
            complete = reply_for(self.kc.shell_channel, self.kc.complete(SAMPLES["complete_prefix"]), timeout=5)
            complete_latency = time.monotonic() - started
            self.assertIn(SAMPLES["complete_match"], complete["content"]["matches"])
            started = time.monotonic()
            inspect = reply_for(self.kc.shell_channel, self.kc.inspect(SAMPLES["inspect_name"]), timeout=5)
            inspect_latency = time.monotonic() - started
            self.assertTrue(inspect["content"]["found"])
            context = zmq.Context.instance()
            hb = context.socket(zmq.REQ)
            hb.linger = 0
            hb.connect(self.kc._make_url("hb"))
            started = time.monotonic()
            hb.send(b"ping")
            self.assertTrue(hb.poll(1000), "no heartbeat echo within 1 s while busy")
            self.assertEqual(hb.recv(), b"ping")
            hb_latency = time.monotonic() - started
            hb.close()
            print(f"  while busy: complete {complete_latency * 1000:.1f} ms, inspect {inspect_latency * 1000:.1f} ms, "
                  f"heartbeat {hb_latency * 1000:.1f} ms", file=sys.stderr)
            self.assertLess(complete_latency, 0.25)
            self.assertLess(inspect_latency, 0.25)
        finally:
            self.interrupt()
            reply_for(self.kc.shell_channel, msg_id, timeout=5)
            states = [m["content"]["execution_state"] for m in iopub_until_idle(self.kc, msg_id) if m["msg_type"] == "status"]
        # Each request answered during the cell re-announces the cell's busy after its own idle,
        # so a front-end never shows an idle kernel while the cell still runs.
        self.assertGreaterEqual(len(states), 3)
        self.assertEqual(set(states[:-1]), {"busy"})

    def test_cursor_positions_count_code_points(self):
        prefix = "x = '\U0001F600\U0001F600' "
        code = prefix + SAMPLES["complete_prefix"]
        reply = reply_for(self.kc.shell_channel, self.kc.complete(code, len(code)))
        self.assertEqual(reply["content"]["cursor_start"], len(prefix))
        self.assertEqual(reply["content"]["cursor_end"], len(code))
        self.assertIn(SAMPLES["complete_match"], reply["content"]["matches"])
        code = "\U0001F600 " + SAMPLES["inspect_name"]
        reply = reply_for(self.kc.shell_channel, self.kc.inspect(code, len(code)))
        self.assertTrue(reply["content"]["found"])

    # -- stdin

    def test_stdin_round_trip(self):
        msg_id = self.kc.execute(SAMPLES["input"], allow_stdin=True)
        request = self.kc.stdin_channel.get_msg(timeout=5)
        self.assertEqual(request["msg_type"], "input_request")
        self.assertEqual(request["parent_header"]["msg_id"], msg_id)
        self.assertEqual(request["content"]["prompt"], SAMPLES["input_prompt"])
        self.assertFalse(request["content"]["password"])
        self.kc.input("Ada \U0001F600")
        reply = reply_for(self.kc.shell_channel, msg_id)
        self.assertEqual(reply["content"]["status"], "ok")
        text = "".join(m["content"]["text"] for m in iopub_until_idle(self.kc, msg_id) if m["msg_type"] == "stream")
        self.assertEqual(text, SAMPLES["input_echo"].format(value="Ada \U0001F600"))

    def test_output_before_input_request_is_sent_first(self):
        msg_id = self.kc.execute(SAMPLES["print_then_input"], allow_stdin=True)
        request = self.kc.stdin_channel.get_msg(timeout=5)
        stream = None
        while stream is None:
            msg = self.kc.get_iopub_msg(timeout=5)
            if msg["parent_header"].get("msg_id") == msg_id and msg["msg_type"] == "stream":
                stream = msg
        self.assertLess(stream["header"]["date"], request["header"]["date"])
        self.kc.input("x")
        reply_for(self.kc.shell_channel, msg_id)
        iopub_until_idle(self.kc, msg_id)

    def test_password_request(self):
        msg_id = self.kc.execute(SAMPLES["password"], allow_stdin=True)
        request = self.kc.stdin_channel.get_msg(timeout=5)
        self.assertTrue(request["content"]["password"])
        self.kc.input("hunter2")
        self.assertEqual(reply_for(self.kc.shell_channel, msg_id)["content"]["status"], "ok")
        iopub_until_idle(self.kc, msg_id)

    def test_interrupt_while_waiting_for_input(self):
        msg_id = self.kc.execute(SAMPLES["input"], allow_stdin=True)
        self.assertEqual(self.kc.stdin_channel.get_msg(timeout=5)["msg_type"], "input_request")
        self.interrupt()
        reply = reply_for(self.kc.shell_channel, msg_id, timeout=5)
        self.assertEqual(reply["content"]["ename"], SAMPLES["interrupt_ename"])
        iopub_until_idle(self.kc, msg_id)
        reply, _ = self.run_cell(SAMPLES["trivial"])
        self.assertEqual(reply["content"]["status"], "ok")

    def test_input_fails_fast_without_stdin(self):
        started = time.monotonic()
        reply, _ = self.run_cell(SAMPLES["input"], allow_stdin=False)
        self.assertLess(time.monotonic() - started, 1.0)
        self.assertEqual(reply["content"]["status"], "error")
        self.assertEqual(reply["content"]["ename"], SAMPLES["stdin_refused_ename"])

    # -- displays

    def test_update_display_data(self):
        _, msgs = self.run_cell(SAMPLES["display_update"])
        kinds = [m["msg_type"] for m in self.outputs(msgs)]
        self.assertEqual(kinds, ["display_data", "update_display_data"])
        for msg in self.outputs(msgs):
            self.assertEqual(msg["content"]["transient"]["display_id"], SAMPLES["display_id"])
            self.assertIn("text/plain", msg["content"]["data"])

    def test_clear_output_wait_keeps_order(self):
        _, msgs = self.run_cell(SAMPLES["clear_wait"])
        kinds = [(m["msg_type"], m["content"].get("wait", m["content"].get("text"))) for m in self.outputs(msgs)]
        self.assertEqual(kinds, [("stream", "x\n"), ("clear_output", True), ("stream", "y\n")])

    def test_ten_megabytes_of_output_arrive_in_order(self):
        started = time.monotonic()
        _, msgs = self.run_cell(SAMPLES["flood_10mb"], timeout=120)
        text = "".join(m["content"]["text"] for m in msgs if m["msg_type"] == "stream")
        self.assertEqual(len(text.encode()), 10_000_000)
        lines = text.split("\n")
        for i, line in enumerate(lines[:-2]):
            if not line.startswith("%09d " % i):
                self.fail(f"line {i} out of order: {line[:20]!r}")
        print(f"  10 MB in {time.monotonic() - started:.2f} s, "
              f"{sum(m['msg_type'] == 'stream' for m in msgs)} stream messages", file=sys.stderr)

    # -- comms

    def comm_info(self):
        reply = reply_for(self.kc.shell_channel, self.kc.comm_info())
        validate_message(reply, "comm_info_reply")
        return reply["content"]["comms"]

    def test_comm_to_unknown_target_is_closed_at_once(self):
        comm_id = uuid.uuid4().hex
        msg_id = send_shell(self.kc, "comm_open", {"comm_id": comm_id, "target_name": "no.such.target", "data": {}})
        msgs = iopub_until_idle(self.kc, msg_id, timeout=2)
        closes = [m for m in msgs if m["msg_type"] == "comm_close"]
        self.assertEqual([m["content"]["comm_id"] for m in closes], [comm_id])
        self.assertNotIn(comm_id, self.comm_info())

    def test_comm_open_message_close(self):
        comm_id = uuid.uuid4().hex
        target = SAMPLES["echo_target"]
        msg_id = send_shell(self.kc, "comm_open", {"comm_id": comm_id, "target_name": target, "data": {"x": 1}})
        msgs = iopub_until_idle(self.kc, msg_id)
        self.assertEqual([m["content"]["data"] for m in msgs if m["msg_type"] == "comm_msg"], [{"opened": {"x": 1}}])
        self.assertEqual(self.comm_info()[comm_id], {"target_name": target})
        msg_id = send_shell(self.kc, "comm_msg", {"comm_id": comm_id, "data": {"ping": 1}})
        msgs = iopub_until_idle(self.kc, msg_id)
        self.assertEqual([m["content"]["data"] for m in msgs if m["msg_type"] == "comm_msg"], [{"echo": {"ping": 1}}])
        msg_id = send_shell(self.kc, "comm_close", {"comm_id": comm_id, "data": {}})
        iopub_until_idle(self.kc, msg_id)
        self.assertNotIn(comm_id, self.comm_info())

    def test_kernel_opens_a_comm(self):
        _, msgs = self.run_cell(SAMPLES["open_comm"])
        opens = [m for m in msgs if m["msg_type"] == "comm_open"]
        self.assertEqual(len(opens), 1)
        self.assertEqual(opens[0]["content"]["target_name"], SAMPLES["echo_target"])
        comm_id = opens[0]["content"]["comm_id"]
        self.assertIn(comm_id, self.comm_info())

    # -- the wire

    def test_bad_signature_and_malformed_json_are_dropped(self):
        context = zmq.Context.instance()
        socket = context.socket(zmq.DEALER)
        socket.linger = 0
        socket.connect(self.kc._make_url("shell"))
        try:
            wrong = Session(key=b"not-the-key", username="intruder")
            wrong.send(socket, "kernel_info_request", {})
            self.assertEqual(socket.poll(500), 0, "a badly signed request was answered")
            key = self.kc.session.key
            parts = [json.dumps(self.kc.session.msg_header("kernel_info_request"), default=str).encode(),
                     b"{}", b"{}", b"{not json"]
            digest = hmac.new(key, digestmod=hashlib.sha256)
            for part in parts:
                digest.update(part)
            socket.send_multipart([b"<IDS|MSG>", digest.hexdigest().encode() if key else b""] + parts)
            socket.send_multipart([b"no delimiter at all"])
            self.assertEqual(socket.poll(500), 0, "a malformed request was answered")
            self.kc.session.send(socket, "kernel_info_request", {})
            self.assertTrue(socket.poll(5000), "the kernel stopped answering after bad messages")
            _, reply = self.kc.session.feed_identities(socket.recv_multipart())
            self.assertEqual(self.kc.session.deserialize(reply)["msg_type"], "kernel_info_reply")
        finally:
            socket.close()


class ApusScriptTests(ProtocolTests):
    """Rich output, help and comms driven by real Apus code (only with --apus)."""

    def displays(self, msgs):
        return [(m["msg_type"], m["content"]) for m in self.outputs(msgs)]

    def test_display_update_and_clear_from_a_script(self):
        _, msgs = self.run_cell("display(HTML('<b>1</b>'), display_id='bar')\n"
                                "update_display(Markdown('*2*'), display_id='bar')\n"
                                "clear_output(wait=True)\n"
                                "print('after')")
        kinds = [kind for kind, _ in self.displays(msgs)]
        self.assertEqual(kinds, ["display_data", "update_display_data", "clear_output", "stream"])
        first, update, clear, stream = [content for _, content in self.displays(msgs)]
        self.assertEqual(first["data"], {"text/plain": "<IPython.core.display.HTML object>", "text/html": "<b>1</b>"})
        self.assertEqual(first["transient"], {"display_id": "bar"})
        self.assertEqual(update["data"]["text/markdown"], "*2*")
        self.assertEqual(update["transient"], {"display_id": "bar"})
        self.assertEqual(clear, {"wait": True})
        self.assertEqual(stream, {"name": "stdout", "text": "after\n"})

    def test_display_handle_updates_across_cells(self):
        _, msgs = self.run_cell("from IPython.display import display, HTML\nh = display(HTML('a'), display_id=True)")
        (kind, first), = self.displays(msgs)
        self.assertEqual(kind, "display_data")
        display_id = first["transient"]["display_id"]
        self.assertRegex(display_id, "^[0-9a-f]{32}$")
        _, msgs = self.run_cell("h.update(HTML('b'))\nh.display_id")
        (kind, update), (_, result) = self.displays(msgs)
        self.assertEqual((kind, update["data"]["text/html"], update["transient"]["display_id"]),
                         ("update_display_data", "b", display_id))
        self.assertEqual(result["data"]["text/plain"], repr(display_id))

    def test_repr_methods_of_a_script_class(self):
        self.run_cell("class Card:\n"
                      "    def __repr__(self):\n        return 'Card()'\n"
                      "    def _repr_html_(self):\n        return '<div>card</div>'\n"
                      "    def _repr_json_(self):\n        return {'suit': 'hearts', 'rank': [1, None]}\n"
                      "    def _repr_markdown_(self):\n        return None\n")
        _, msgs = self.run_cell("Card()")
        (kind, result), = self.displays(msgs)
        self.assertEqual(kind, "execute_result")
        self.assertEqual(result["data"], {"text/plain": "Card()", "text/html": "<div>card</div>",
                                          "application/json": {"suit": "hearts", "rank": [1, None]}})
        _, msgs = self.run_cell("display(Card(), exclude=['application/json'])")
        (kind, shown), = self.displays(msgs)
        self.assertEqual((kind, shown["data"]), ("display_data", {"text/plain": "Card()", "text/html": "<div>card</div>"}))

    def test_repr_mimebundle_wins_over_single_methods(self):
        _, msgs = self.run_cell("class B:\n"
                                "    def _repr_html_(self):\n        return 'method'\n"
                                "    def _repr_mimebundle_(self, include=None, exclude=None):\n"
                                "        return {'text/html': 'bundle', 'image/svg+xml': '<svg/>'}, {'text/html': {'isolated': True}}\n"
                                "B()")
        (kind, result), = self.displays(msgs)
        self.assertEqual(result["data"]["text/html"], "bundle")
        self.assertEqual(result["data"]["image/svg+xml"], "<svg/>")
        self.assertTrue(result["data"]["text/plain"].startswith("<__main__.B object"))
        self.assertEqual(result["metadata"], {"text/html": {"isolated": True}})

    def test_formatter_error_is_reported_and_the_cell_succeeds(self):
        reply, msgs = self.run_cell("class Bad:\n    def _repr_html_(self):\n        return 1/0\nBad()")
        self.assertEqual(reply["content"]["status"], "ok")
        kinds = [kind for kind, _ in self.displays(msgs)]
        self.assertEqual(kinds, ["stream", "execute_result"])
        self.assertIn("ZeroDivisionError", self.displays(msgs)[0][1]["text"])
        self.assertNotIn("text/html", self.displays(msgs)[1][1]["data"])

    def page(self, code):
        reply, msgs = self.run_cell(code)
        self.assertEqual(reply["content"]["status"], "ok")
        return reply["content"]["payload"], self.outputs(msgs)

    def test_help_lines_answer_with_a_pager_payload(self):
        self.run_cell("def area(r):\n    'Area of a disc of radius r.'\n    return 3 * r * r\n")
        for code in ("?area", "area?"):
            payload, outputs = self.page(code)
            self.assertEqual(outputs, [])
            (page,) = payload
            self.assertEqual(page["source"], "page")
            self.assertEqual(page["start"], 0)
            self.assertIn("Area of a disc of radius r.", page["data"]["text/plain"])
            self.assertNotIn("return 3 * r * r", page["data"]["text/plain"])
        for code in ("??area", "area??"):
            (page,), _ = self.page(code)
            self.assertIn("return 3 * r * r", page["data"]["text/plain"])
        payload, outputs = self.page("?no_such_name")
        self.assertEqual(payload, [])
        self.assertEqual([m["content"]["text"] for m in outputs], ["Object `no_such_name` not found.\n"])

    def test_inspect_detail_levels(self):
        self.run_cell("def cube(x):\n    'The cube.'\n    return x * x * x\n")
        for level, has_source in ((0, False), (1, True)):
            reply = reply_for(self.kc.shell_channel, self.kc.inspect("cube", 4, detail_level=level))
            self.assertTrue(reply["content"]["found"])
            self.assertEqual("return x * x * x" in reply["content"]["data"]["text/plain"], has_source)

    def comm_messages(self, msgs, kind):
        return [m["content"] for m in msgs if m["msg_type"] == kind]

    def test_script_opens_sends_receives_and_closes_a_comm(self):
        _, msgs = self.run_cell("from comm import create_comm\n"
                                "c = create_comm(target_name='apus.test', data={'hello': 1})\n"
                                "c.on_msg(lambda msg: print('got', msg['content']['data']))\n"
                                "c.send({'n': 2})")
        (opened,) = self.comm_messages(msgs, "comm_open")
        self.assertEqual((opened["target_name"], opened["data"]), ("apus.test", {"hello": 1}))
        comm_id = opened["comm_id"]
        self.assertEqual(self.comm_messages(msgs, "comm_msg"), [{"comm_id": comm_id, "data": {"n": 2}}])
        self.assertEqual(self.comm_info()[comm_id], {"target_name": "apus.test"})
        msg_id = send_shell(self.kc, "comm_msg", {"comm_id": comm_id, "data": {"ping": [1, None]}})
        msgs = iopub_until_idle(self.kc, msg_id)
        self.assertEqual([m["content"]["text"] for m in msgs if m["msg_type"] == "stream"], ["got {'ping': [1, None]}\n"])
        _, msgs = self.run_cell("c.close({'bye': True})\nc.send({'dropped': 1})")
        self.assertEqual(self.comm_messages(msgs, "comm_close"), [{"comm_id": comm_id, "data": {"bye": True}}])
        self.assertEqual(self.comm_messages(msgs, "comm_msg"), [])
        self.assertNotIn(comm_id, self.comm_info())

    def test_front_end_opens_a_comm_to_a_script_target(self):
        self.run_cell("from comm import get_comm_manager\n"
                      "def opened(comm, msg):\n"
                      "    comm.send({'echo': msg['content']['data']})\n"
                      "    comm.on_msg(lambda m: comm.send({'again': m['content']['data']}))\n"
                      "    comm.on_close(lambda m: print('closed', comm.comm_id == msg['content']['comm_id']))\n"
                      "get_comm_manager().register_target('apus.echo', opened)")
        comm_id = uuid.uuid4().hex
        msg_id = send_shell(self.kc, "comm_open", {"comm_id": comm_id, "target_name": "apus.echo", "data": {"x": 1}})
        msgs = iopub_until_idle(self.kc, msg_id)
        self.assertEqual(self.comm_messages(msgs, "comm_msg"), [{"comm_id": comm_id, "data": {"echo": {"x": 1}}}])
        self.assertEqual(self.comm_info()[comm_id], {"target_name": "apus.echo"})
        msg_id = send_shell(self.kc, "comm_msg", {"comm_id": comm_id, "data": {"ping": 2}})
        msgs = iopub_until_idle(self.kc, msg_id)
        self.assertEqual(self.comm_messages(msgs, "comm_msg"), [{"comm_id": comm_id, "data": {"again": {"ping": 2}}}])
        msg_id = send_shell(self.kc, "comm_close", {"comm_id": comm_id, "data": {}})
        msgs = iopub_until_idle(self.kc, msg_id)
        self.assertEqual([m["content"]["text"] for m in msgs if m["msg_type"] == "stream"], ["closed True\n"])
        self.assertNotIn(comm_id, self.comm_info())


def bench(n):
    """Round-trip figures as a frontend sees them (median and p99, ms): trivial execute to its
    reply and to its idle, kernel_info, complete. Not a test: numbers only."""
    km, kc = connect()

    def stats(samples):
        samples = sorted(samples)
        return {"median": round(samples[len(samples) // 2] * 1000, 3),
                "p99": round(samples[min(len(samples) - 1, int(len(samples) * 0.99))] * 1000, 3)}

    reply_times, idle_times, info_times, complete_times = [], [], [], []
    for i in range(n + 10):
        t = time.perf_counter()
        msg_id = kc.execute(SAMPLES["trivial"])
        reply_for(kc.shell_channel, msg_id)
        r = time.perf_counter() - t
        iopub_until_idle(kc, msg_id)
        if i >= 10:
            reply_times.append(r)
            idle_times.append(time.perf_counter() - t)
    for i in range(n):
        t = time.perf_counter()
        reply_for(kc.shell_channel, kc.kernel_info())
        info_times.append(time.perf_counter() - t)
        t = time.perf_counter()
        reply_for(kc.shell_channel, kc.complete(SAMPLES["complete_prefix"]))
        complete_times.append(time.perf_counter() - t)
    drain(kc.iopub_channel)
    print(json.dumps({"runs": n, "execute_reply": stats(reply_times), "execute_idle": stats(idle_times),
                      "kernel_info": stats(info_times), "complete": stats(complete_times)}))
    disconnect(km, kc)
    return 0


def compare_notebook(notebook, written):
    """Runs `notebook` through nbclient against the kernel (allow_errors, as `apus run
    --allow-errors`) and compares the result with the notebook `apus run` wrote: the same
    file text once the timing metadata (wall-clock times) is set aside."""
    import difflib

    import nbclient
    import nbformat

    nb = nbformat.read(notebook, as_version=4)
    client = nbclient.NotebookClient(nb, kernel_name=TARGET["kernel_name"], allow_errors=True, timeout=120)
    client.execute()
    expected = nbformat.writes(nb) + "\n"
    with open(written, encoding="utf-8") as f:
        got = f.read()

    def without_timing(text):
        data = json.loads(text)
        for cell in data["cells"]:
            timing = cell.get("metadata", {}).get("execution")
            if timing is not None:
                assert sorted(timing) == ["iopub.execute_input", "iopub.status.busy", "iopub.status.idle",
                                          "shell.execute_reply"], sorted(timing)
                for key in timing:
                    assert DATE.match(timing[key].replace("Z", "+00:00")) or timing[key].endswith("Z"), timing[key]
                    timing[key] = "<time>"
        return json.dumps(data, indent=1, sort_keys=True, ensure_ascii=False) + "\n"

    if without_timing(got) != without_timing(expected) or got.count("\n") != expected.count("\n"):
        sys.stdout.writelines(difflib.unified_diff(without_timing(expected).splitlines(True), without_timing(got).splitlines(True),
                                                   "nbclient", "apus run"))
        print("FAILED: apus run wrote a different notebook from nbclient's")
        return 1
    print(f"apus run and nbclient wrote the same notebook ({len(nb.cells)} cells)")
    return 0


def probe():
    km, kc = connect()
    msg_id = kc.kernel_info()
    reply = reply_for(kc.shell_channel, msg_id)
    print(json.dumps({"session": reply["header"]["session"]}))
    disconnect(km, kc)
    return 0


def shutdown(restart):
    km, kc = connect()
    msg_id = send_control(kc, "shutdown_request", {"restart": restart})
    reply = reply_for(kc.control_channel, msg_id, timeout=5)
    validate_message(reply, "shutdown_reply", msg_id)
    kc.stop_channels()
    ok = reply["content"]["restart"] == restart and reply["content"]["status"] == "ok"
    print(json.dumps({"shutdown_reply": reply["content"]}))
    return 0 if ok else 1


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    which = parser.add_mutually_exclusive_group(required=True)
    which.add_argument("--connection-file")
    which.add_argument("--kernel-cmd")
    parser.add_argument("--kernel-pid", type=int)
    parser.add_argument("--samples")
    parser.add_argument("--apus", action="store_true",
                        help="the kernel runs the Apus language: Apus code samples, plus ApusScriptTests")
    parser.add_argument("--probe", action="store_true")
    parser.add_argument("--notebook", help="with --written: compare nbclient's run of this notebook with apus run's")
    parser.add_argument("--written", help="the notebook `apus run --allow-errors -o` wrote")
    parser.add_argument("--bench", type=int, metavar="N", help="print latency figures over N runs instead of testing")
    parser.add_argument("--shutdown", choices=["shutdown", "restart"])
    parser.add_argument("-k", dest="patterns", action="append", help="only tests matching this pattern")
    parser.add_argument("--timeout", type=float, default=900,
                        help="abort the whole run after this many seconds (some upstream checks wait without a timeout)")
    args = parser.parse_args()
    faulthandler.dump_traceback_later(args.timeout, exit=True)

    if args.apus:
        SAMPLES.update(APUS_SAMPLES)
        CONFORMANCE.update(APUS_CONFORMANCE)
    if args.samples:
        with open(args.samples) as f:
            overrides = json.load(f)
        SAMPLES.update(overrides.get("SAMPLES", {}))
        CONFORMANCE.update(overrides.get("CONFORMANCE", {}))
    for name, value in CONFORMANCE.items():
        if name == "completion_samples":
            value = [{"text": s["text"], "matches": set(s["matches"])} for s in value]
        if name == "supported_history_operations":
            value = tuple(value)
        setattr(ApusConformance, name, value)

    TARGET["connection_file"] = args.connection_file
    TARGET["kernel_pid"] = args.kernel_pid
    if args.kernel_cmd:
        spec_root = tempfile.mkdtemp(prefix="apus-kernelspec-")
        spec_dir = os.path.join(spec_root, "kernels", "apus-under-test")
        os.makedirs(spec_dir)
        with open(os.path.join(spec_dir, "kernel.json"), "w") as f:
            json.dump({"argv": shlex.split(args.kernel_cmd) + ["-f", "{connection_file}"],
                       "display_name": "Apus (under test)", "language": "apus", "interrupt_mode": "message"}, f)
        os.environ["JUPYTER_PATH"] = spec_root + os.pathsep + os.environ.get("JUPYTER_PATH", "")
        TARGET["kernel_name"] = "apus-under-test"

    if args.probe:
        return probe()
    if args.notebook:
        return compare_notebook(args.notebook, args.written)
    if args.bench:
        return bench(args.bench)
    if args.shutdown:
        return shutdown(args.shutdown == "restart")

    loader = unittest.TestLoader()
    if args.patterns:
        loader.testNamePatterns = [p if "*" in p else f"*{p}*" for p in args.patterns]
    suite = unittest.TestSuite()
    # The welcome test first: it must see the first message a new subscription gets.
    for case in (ApusIopubWelcome, ApusConformance, ProtocolTests) + ((ApusScriptTests,) if args.apus else ()):
        for test in loader.loadTestsFromTestCase(case):
            # With --apus, ProtocolTests' checks run once (as ApusScriptTests inherits them) and
            # the few that need the test engine's commands are left to the test-engine run.
            if args.apus and (type(test) is ProtocolTests or test._testMethodName in TEST_ENGINE_ONLY):
                continue
            suite.addTest(test)
    result = unittest.TextTestRunner(verbosity=2, stream=sys.stdout).run(suite)
    if result.skipped:
        print(f"FAILED: {len(result.skipped)} test(s) skipped; every test must run", file=sys.stdout)
        return 1
    return 0 if result.wasSuccessful() else 1


if __name__ == "__main__":
    sys.exit(main())
