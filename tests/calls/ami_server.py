"""A fake Asterisk Manager Interface server for the tests: it speaks AMI's wire format (the banner,
CRLF "Key: Value" blocks closed by an empty line, Login with an ActionID answered by Response),
then plays a scripted list of events and closes the connection. It records the actions it got."""

from __future__ import annotations

import socketserver

from tests.support import free_port, serving_thread


def block(fields: dict[str, str]) -> bytes:
    return "".join(f"{k}: {v}\r\n" for k, v in fields.items()).encode() + b"\r\n"


class FakeAmi:
    """FakeAmi(user, secret, events).start(); `actions` holds what clients sent."""

    def __init__(self, username: str, secret: str, events: list[dict[str, str]]) -> None:
        self.username, self.secret, self.events = username, secret, events
        self.actions: list[dict[str, str]] = []
        fake = self

        class Handler(socketserver.StreamRequestHandler):
            def handle(self) -> None:
                self.wfile.write(b"Asterisk Call Manager/6.0.0\r\n")
                action = self._read_block()
                fake.actions.append(action)
                ok = (action.get("Action") == "Login" and action.get("Username") == fake.username
                      and action.get("Secret") == fake.secret)
                self.wfile.write(block({"Response": "Success" if ok else "Error", "ActionID": action.get("ActionID", ""),
                                        "Message": "Authentication accepted" if ok else "Authentication failed"}))
                if not ok:
                    return
                self.wfile.write(block({"Event": "FullyBooted", "Privilege": "system,all", "Status": "Fully Booted"}))
                for event in fake.events:
                    self.wfile.write(block({"Privilege": "call,all", **event}))
                self.wfile.flush()

            def _read_block(self) -> dict[str, str]:
                fields = {}
                for raw in self.rfile:
                    line = raw.decode().rstrip("\r\n")
                    if not line:
                        break
                    key, _, value = line.partition(":")
                    fields[key.strip()] = value.strip()
                return fields

        self._server = socketserver.ThreadingTCPServer(("127.0.0.1", free_port()), Handler)
        self._server.daemon_threads = True

    @property
    def port(self) -> int:
        return self._server.server_address[1]

    def start(self) -> FakeAmi:
        serving_thread(self._server).start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


def _channel(name: str, uniqueid: str, linkedid: str, caller: str, exten: str = "s", **extra) -> dict[str, str]:
    return {"Channel": name, "ChannelState": "4", "ChannelStateDesc": "Ring", "CallerIDNum": caller,
            "CallerIDName": "<unknown>", "ConnectedLineNum": "<unknown>", "ConnectedLineName": "<unknown>",
            "Language": "en", "AccountCode": "", "Context": "from-trunk", "Exten": exten, "Priority": "1",
            "Uniqueid": uniqueid, "Linkedid": linkedid, **extra}


def queue_call_answered(linked: str, caller: str, agent_ext: str, start: float) -> list[dict[str, str]]:
    """A trunk call into queue "support", answered by PJSIP/<agent_ext> after 12 s, talking 95 s."""
    trunk = f"PJSIP/trunk-{linked[-4:]}"
    agent_uid = linked[:-1] + "9"
    agent = f"PJSIP/{agent_ext}-0000{linked[-1]}"
    return [
        {"Event": "Newchannel", **_channel(trunk, linked, linked, caller, "34910000111"), "Timestamp": f"{start:.6f}"},
        {"Event": "QueueCallerJoin", **_channel(trunk, linked, linked, caller, "34910000111"), "Queue": "support",
         "Position": "1", "Count": "1", "Timestamp": f"{start + 1:.6f}"},
        {"Event": "Newchannel", **_channel(agent, agent_uid, linked, agent_ext), "Timestamp": f"{start + 1.5:.6f}"},
        {"Event": "DialBegin", **_channel(trunk, linked, linked, caller), "DestChannel": agent,
         "DestCallerIDNum": agent_ext, "DestUniqueid": agent_uid, "DestLinkedid": linked, "DialString": agent_ext,
         "Timestamp": f"{start + 1.5:.6f}"},
        {"Event": "AgentConnect", **_channel(trunk, linked, linked, caller), "DestChannel": agent,
         "DestCallerIDNum": agent_ext, "DestUniqueid": agent_uid, "DestLinkedid": linked, "Queue": "support",
         "MemberName": f"Agent {agent_ext}", "Interface": f"PJSIP/{agent_ext}", "RingTime": "11", "HoldTime": "12",
         "Timestamp": f"{start + 13:.6f}"},
        {"Event": "BridgeEnter", **_channel(agent, agent_uid, linked, agent_ext), "BridgeUniqueid": "b-1",
         "BridgeType": "basic", "Timestamp": f"{start + 13:.6f}"},
        {"Event": "Hangup", **_channel(agent, agent_uid, linked, agent_ext), "Cause": "16",
         "Cause-txt": "Normal Clearing", "Timestamp": f"{start + 108:.6f}"},
        {"Event": "Hangup", **_channel(trunk, linked, linked, caller), "Cause": "16", "Cause-txt": "Normal Clearing",
         "Timestamp": f"{start + 108:.6f}"},
    ]


def queue_call_abandoned(linked: str, caller: str, start: float) -> list[dict[str, str]]:
    """A trunk call into queue "support" whose caller hangs up after 40 s of waiting."""
    trunk = f"PJSIP/trunk-{linked[-4:]}"
    return [
        {"Event": "Newchannel", **_channel(trunk, linked, linked, caller, "34910000111"), "Timestamp": f"{start:.6f}"},
        {"Event": "QueueCallerJoin", **_channel(trunk, linked, linked, caller), "Queue": "support", "Position": "1",
         "Count": "1", "Timestamp": f"{start + 1:.6f}"},
        {"Event": "QueueCallerAbandon", **_channel(trunk, linked, linked, caller), "Queue": "support", "Position": "1",
         "OriginalPosition": "1", "HoldTime": "40", "Timestamp": f"{start + 41:.6f}"},
        {"Event": "Hangup", **_channel(trunk, linked, linked, caller), "Cause": "16", "Cause-txt": "Normal Clearing",
         "Timestamp": f"{start + 41:.6f}"},
    ]
