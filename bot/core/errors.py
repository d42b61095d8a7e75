"""Why a chat turn could not be answered normally, and the bilingual messages people see for it."""

from __future__ import annotations


class AssistantUnavailable(Exception):
    """The assistant (Rasa and its actions) gave no usable answer."""


class RasaUnavailable(AssistantUnavailable):
    """Rasa could not be reached, timed out, or answered with an error or unreadable JSON."""


class EmptyReply(AssistantUnavailable):
    """Rasa answered without a single text reply (what it does when the action server fails)."""


class ApiError(Exception):
    """An error answer the client should see: HTTP status, code and a bilingual message."""

    def __init__(self, status_code: int, code: str, message: str) -> None:
        """Keep the parts of the answer."""
        super().__init__(f"{status_code} {code}: {message}")
        self.status_code = status_code
        self.code = code
        self.message = message


MSG_INVALID_JSON = "请求内容不是有效的 JSON。 / The request body is not valid JSON."
MSG_INVALID_BODY = (
    '请求内容应该是一个 JSON 对象，例如 {"sender_id": "...", "text": "..."}。'
    " / The request body must be a JSON object with sender_id and text."
)
MSG_INVALID_CHANNEL = "不支持这个渠道，可以用 web 或 telegram。 / Unknown channel; use web or telegram."
MSG_EMPTY_TEXT = "请输入您想问的内容。 / Please type a message."
MSG_NO_WORDS = "请用文字告诉我您想问什么。 / Please type your question in words."
MSG_RATE_LIMITED = (
    "您发得太快了，请歇一会儿再发。着急的话可以点「找人工」。 / Too many messages; please wait a moment."
)
MSG_TOO_LARGE = "请求内容太大了。 / The request body is too large."
MSG_INTERNAL = (
    "抱歉，服务出了点问题，请稍后再试。 / Something went wrong on our side; please try again later."
)
MSG_STORE = (
    "抱歉，服务暂时不可用，请稍后再试。 / The service is temporarily unavailable; please try again later."
)
MSG_ASSISTANT_UNAVAILABLE = (
    "智能助手暂时无法回答，工作人员会跟进。"
    " / The assistant is temporarily unavailable; a staff member will follow up."
)


def sender_id_message(max_chars: int) -> str:
    """Explain what a valid sender_id looks like."""
    return (
        f"sender_id 需要 1 到 {max_chars} 个字符，只能用字母、数字和 - _ . : @。"
        f" / sender_id must be 1 to {max_chars} characters: letters, digits and - _ . : @."
    )


def text_too_long_message(max_chars: int) -> str:
    """Explain the length limit of a message."""
    return (
        f"您的消息太长了，请不要超过 {max_chars} 个字，可以分几次发。"
        f" / The message is too long; please keep it under {max_chars} characters."
    )
