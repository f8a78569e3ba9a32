"""WS-Management messages of the Windows Remote Shell (MS-WSMV): reading requests, writing responses
and SOAP faults with the codes Windows uses."""

from __future__ import annotations

import uuid
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from xml.sax.saxutils import escape, quoteattr

NS = {
    "s": "http://www.w3.org/2003/05/soap-envelope",
    "a": "http://schemas.xmlsoap.org/ws/2004/08/addressing",
    "x": "http://schemas.xmlsoap.org/ws/2004/09/transfer",
    "w": "http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd",
    "p": "http://schemas.microsoft.com/wbem/wsman/1/wsman.xsd",
    "rsp": "http://schemas.microsoft.com/wbem/wsman/1/windows/shell",
    "f": "http://schemas.microsoft.com/wbem/wsman/1/wsmanfault",
}
TRANSFER = "http://schemas.xmlsoap.org/ws/2004/09/transfer/"
SHELL = "http://schemas.microsoft.com/wbem/wsman/1/windows/shell/"
CMD_URI = SHELL + "cmd"
ANONYMOUS = "http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous"
DONE = SHELL + "CommandState/Done"
RUNNING = SHELL + "CommandState/Running"

ACTIONS = {
    TRANSFER + "Create": "create", TRANSFER + "Delete": "delete", SHELL + "Command": "command",
    SHELL + "Receive": "receive", SHELL + "Signal": "signal", SHELL + "Send": "send",
}

# WSManFault codes Windows sends (winerror.h, WSMAN section)
TIMED_OUT = 2150858793
SHELL_NOT_FOUND = 2150858843
ACTION_NOT_SUPPORTED = 2150858755
INVALID_RESOURCE_URI = 2150858811
INTERNAL_ERROR = 2147500037
BAD_REQUEST = 2150858817
SHELL_QUOTA = 2150859174


@dataclass
class Request:
    action: str
    message_id: str
    resource_uri: str
    shell_id: str | None
    options: dict[str, str]
    operation_timeout: float
    body: ET.Element | None
    raw: bytes = field(repr=False, default=b"")


class BadMessage(Exception):
    pass


def _seconds(duration: str | None, default: float) -> float:
    if not duration or not duration.startswith("PT") or not duration.endswith("S"):
        return default
    try:
        return float(duration[2:-1])
    except ValueError:
        return default


def parse_request(data: bytes) -> Request:
    try:
        root = ET.fromstring(data)
    except ET.ParseError as error:
        raise BadMessage(str(error)) from error
    header = root.find("s:Header", NS)
    if header is None:
        raise BadMessage("no SOAP header")

    def text(path: str) -> str:
        node = header.find(path, NS)
        return (node.text or "").strip() if node is not None else ""

    selector = header.find("w:SelectorSet/w:Selector[@Name='ShellId']", NS)
    options = {o.get("Name", ""): (o.text or "") for o in header.findall("w:OptionSet/w:Option", NS)}
    body = root.find("s:Body", NS)
    return Request(action=text("a:Action"), message_id=text("a:MessageID"), resource_uri=text("w:ResourceURI"),
                   shell_id=(selector.text or "").strip() if selector is not None else None, options=options,
                   operation_timeout=_seconds(text("w:OperationTimeout"), 60.0), body=body, raw=data)


def envelope(action: str, relates_to: str, body: str, extra_header: str = "") -> bytes:
    namespaces = " ".join(f'xmlns:{k}="{v}"' for k, v in NS.items() if k != "f")
    return (f'<s:Envelope xml:lang="en-US" {namespaces}><s:Header><a:Action>{action}</a:Action>'
            f"<a:MessageID>uuid:{str(uuid.uuid4()).upper()}</a:MessageID><a:To>{ANONYMOUS}</a:To>"
            f"<a:RelatesTo>{escape(relates_to)}</a:RelatesTo>{extra_header}</s:Header><s:Body>{body}</s:Body>"
            "</s:Envelope>").encode()


def create_response(request: Request, shell_id: str, address: str, owner: str, client_ip: str) -> bytes:
    body = (f"<x:ResourceCreated><a:Address>{escape(address)}</a:Address><a:ReferenceParameters>"
            f"<w:ResourceURI>{CMD_URI}</w:ResourceURI><w:SelectorSet><w:Selector Name=\"ShellId\">{shell_id}"
            "</w:Selector></w:SelectorSet></a:ReferenceParameters></x:ResourceCreated>"
            f"<rsp:Shell><rsp:ShellId>{shell_id}</rsp:ShellId><rsp:ResourceUri>{CMD_URI}</rsp:ResourceUri>"
            f"<rsp:Owner>{escape(owner)}</rsp:Owner><rsp:ClientIP>{escape(client_ip)}</rsp:ClientIP>"
            "<rsp:IdleTimeOut>PT7200.000S</rsp:IdleTimeOut><rsp:InputStreams>stdin</rsp:InputStreams>"
            "<rsp:OutputStreams>stdout stderr</rsp:OutputStreams><rsp:ShellRunTime>P0DT0H0M0S</rsp:ShellRunTime>"
            "<rsp:ShellInactivity>P0DT0H0M0S</rsp:ShellInactivity></rsp:Shell>")
    return envelope(TRANSFER + "CreateResponse", request.message_id, body)


def command_response(request: Request, command_id: str) -> bytes:
    body = f"<rsp:CommandResponse><rsp:CommandId>{command_id}</rsp:CommandId></rsp:CommandResponse>"
    return envelope(SHELL + "CommandResponse", request.message_id, body)


def receive_response(request: Request, command_id: str, stdout: bytes, stderr: bytes, exit_code: int) -> bytes:
    import base64

    cid = quoteattr(command_id)
    streams = ""
    if stdout:
        streams += f'<rsp:Stream Name="stdout" CommandId={cid}>{base64.b64encode(stdout).decode()}</rsp:Stream>'
    if stderr:
        streams += f'<rsp:Stream Name="stderr" CommandId={cid}>{base64.b64encode(stderr).decode()}</rsp:Stream>'
    streams += (f'<rsp:Stream Name="stdout" CommandId={cid} End="true"></rsp:Stream>'
                f'<rsp:Stream Name="stderr" CommandId={cid} End="true"></rsp:Stream>')
    state = (f'<rsp:CommandState CommandId={cid} State="{DONE}"><rsp:ExitCode>{exit_code}</rsp:ExitCode>'
             "</rsp:CommandState>")
    body = f'<rsp:ReceiveResponse SequenceID="0">{streams}{state}</rsp:ReceiveResponse>'
    return envelope(SHELL + "ReceiveResponse", request.message_id, body)


def signal_response(request: Request) -> bytes:
    return envelope(SHELL + "SignalResponse", request.message_id, "<rsp:SignalResponse/>")


def send_response(request: Request) -> bytes:
    return envelope(SHELL + "SendResponse", request.message_id, "<rsp:SendResponse/>")


def delete_response(request: Request) -> bytes:
    return envelope(TRANSFER + "DeleteResponse", request.message_id, "")


def fault(relates_to: str, code: int, reason: str, subcode: str, machine: str, value: str = "s:Receiver") -> bytes:
    body = (f"<s:Fault><s:Code><s:Value>{value}</s:Value><s:Subcode><s:Value>{subcode}</s:Value></s:Subcode>"
            f'</s:Code><s:Reason><s:Text xml:lang="en-US">{escape(reason)}</s:Text></s:Reason><s:Detail>'
            f'<f:WSManFault xmlns:f="{NS["f"]}" Code="{code}" Machine={quoteattr(machine)}><f:Message>'
            f"{escape(reason)}</f:Message></f:WSManFault></s:Detail></s:Fault>")
    return envelope("http://schemas.dmtf.org/wbem/wsman/1/wsman/fault", relates_to, body)


def timed_out(request: Request, machine: str) -> bytes:
    return fault(request.message_id, TIMED_OUT, "The WS-Management service cannot complete the operation within the "
                 "time specified in OperationTimeout.  ", "w:TimedOut", machine)


def shell_not_found(request: Request, machine: str) -> bytes:
    return fault(request.message_id, SHELL_NOT_FOUND, f"The request for the Windows Remote Shell with ShellId "
                 f"{request.shell_id} failed because the shell was not found on the server. Possible causes are: the "
                 "specified ShellId is incorrect or the shell no longer exists on the server. Provide the correct "
                 "ShellId or create a new shell and retry the operation. ", "w:InvalidSelectors", machine,
                 value="s:Sender")


def action_not_supported(request: Request, machine: str) -> bytes:
    return fault(request.message_id, ACTION_NOT_SUPPORTED, "The WS-Management service does not support the "
                 "specified action. ", "a:ActionNotSupported", machine, value="s:Sender")


def too_many_shells(request: Request, machine: str, limit: int) -> bytes:
    return fault(request.message_id, SHELL_QUOTA, "The WS-Management service cannot process the request. This user "
                 f"is allowed a maximum number of {limit} concurrent shells, which has been exceeded. Close existing "
                 "shells or raise the quota for this user. ", "w:QuotaLimit", machine)


def internal_error(relates_to: str, machine: str) -> bytes:
    return fault(relates_to, INTERNAL_ERROR, "The WS-Management service cannot process the request. An internal "
                 "error occurred in the service. ", "w:InternalError", machine)
