"""The bot's handlers: /start, /help, /human, text, button presses, anything else, and errors.

Every user message becomes one turn of `ChatTurns` (sender tg-<chat id>, channel "telegram"), the same
turn the web chat gets; the replies are sent back split under Telegram's limit, with their buttons as an
inline keyboard on the last piece.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Sequence
from typing import Any

from fastapi.concurrency import run_in_threadpool
from telegram import Bot, Update
from telegram.error import BadRequest, Forbidden, TelegramError
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.core.errors import ApiError
from bot.core.schemas import Button, Reply
from bot.core.turns import APOLOGY_UNRECORDED, HUMAN_BUTTON, ChatTurns, RateLimited
from bot.telegram.callbacks import CallbackStore
from bot.telegram.render import CHANNEL, keyboard, sender_id_for, split_text

logger = logging.getLogger(__name__)

# The payloads the assistant's domain understands (bot/dialogue/domain.yml).
GREET = "/greet"
REQUEST_HUMAN = "/request_human"

HELP_TEXT = (
    "我是养老服务小助手，可以帮您：\n"
    "1. 查养老补贴和政策，并告诉您出自哪份文件；\n"
    "2. 了解吃饭（助餐）、上门洗澡（助浴）、看病等服务；\n"
    "3. 预约上门服务，查看、改时间或取消预约；\n"
    "4. 转给工作人员。\n"
    "直接打字问我就可以。要找工作人员，点「找人工」或发 /human。"
)
HELP_BUTTONS = (
    Button(title="能领哪些补贴", payload="/ask_eligibility"),
    Button(title="预约上门服务", payload="/book_home_visit"),
    Button(title="我的预约", payload="/manage_booking"),
    HUMAN_BUTTON,
)
NOT_TEXT = "抱歉，我现在只能看懂文字。请您打字告诉我，或者点「找人工」请工作人员帮忙。"
EXPIRED_BUTTON = "这个按钮已经过期了。请您直接打字告诉我想办的事，或者点「找人工」。"
# A reply that is only buttons still needs a text on Telegram.
CHOOSE = "请您选择："


def in_chinese(message: str) -> str:
    """The Chinese half of a bilingual gateway message ("中文 / English")."""
    return message.split(" / ", 1)[0].strip()


class TelegramHandlers:
    """Answers Telegram users through the gateway's turns."""

    def __init__(self, turns: ChatTurns, callbacks: CallbackStore) -> None:
        """Answer with `turns`; keep long button payloads in `callbacks`."""
        self.turns = turns
        self.callbacks = callbacks

    def register(self, application: Application[Any, Any, Any, Any, Any, Any]) -> None:
        """Add the handlers and the error handler to an Application."""
        message = filters.UpdateType.MESSAGE
        application.add_handler(CommandHandler("start", self.start, filters=message))
        application.add_handler(CommandHandler("help", self.help, filters=message))
        application.add_handler(CommandHandler("human", self.human, filters=message))
        application.add_handler(MessageHandler(message & filters.TEXT & ~filters.COMMAND, self.text))
        application.add_handler(CallbackQueryHandler(self.button))
        application.add_handler(MessageHandler(message & filters.COMMAND, self.help))  # unknown commands
        application.add_handler(MessageHandler(message, self.not_text))
        application.add_error_handler(self.on_error)

    async def send(self, bot: Bot, chat_id: int, replies: Sequence[Reply]) -> None:
        """Send replies in order: each split under the limit, its buttons on its last piece."""
        for reply in replies:
            pieces = split_text(reply.text) or ([CHOOSE] if reply.buttons else [])
            markup = None
            if reply.buttons:
                data = await run_in_threadpool(self.callbacks.encode, [b.payload for b in reply.buttons])
                markup = keyboard(reply.buttons, data)
            for index, piece in enumerate(pieces):
                last = index == len(pieces) - 1
                await bot.send_message(chat_id, piece, reply_markup=markup if last else None)

    async def turn(self, bot: Bot, chat_id: int, text: str) -> None:
        """Answer one message of a chat with the assistant's turn and send the replies."""
        try:
            outcome = await self.turns.answer(sender_id_for(chat_id), CHANNEL, text)
        except RateLimited as exc:
            replies = [Reply(text=in_chinese(exc.message), buttons=[HUMAN_BUTTON])]
        except ApiError as exc:  # nothing usable in the message
            replies = [Reply(text=in_chinese(exc.message))]
        else:
            replies = outcome.body.replies
        await self.send(bot, chat_id, replies)

    async def start(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/start: the assistant's greeting, with its buttons."""
        if update.effective_chat is not None:
            await self.turn(context.bot, update.effective_chat.id, GREET)

    async def help(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/help (and unknown commands): what the assistant can do."""
        if update.effective_chat is not None:
            await self.send(
                context.bot, update.effective_chat.id, [Reply(text=HELP_TEXT, buttons=list(HELP_BUTTONS))]
            )

    async def human(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/human: ask for a person, as the 找人工 button does."""
        if update.effective_chat is not None:
            await self.turn(context.bot, update.effective_chat.id, REQUEST_HUMAN)

    async def text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A text message: one turn."""
        message = update.effective_message
        if update.effective_chat is not None and message is not None and message.text:
            await self.turn(context.bot, update.effective_chat.id, message.text)

    async def button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A button press: stop the button's spinner, then answer its payload as the user's message."""
        query = update.callback_query
        chat = update.effective_chat
        if query is None:
            return
        try:
            await query.answer()
        except BadRequest as exc:  # too old to acknowledge (delivered late): the press is still answered
            logger.info("could not acknowledge a button press: %s", exc)
        if chat is None:  # a button of an inline message: there is no chat to answer in
            return
        payload = await run_in_threadpool(self.callbacks.decode, query.data) if query.data else None
        if payload is None:
            await self.send(context.bot, chat.id, [Reply(text=EXPIRED_BUTTON, buttons=[HUMAN_BUTTON])])
            return
        await self.turn(context.bot, chat.id, payload)

    async def not_text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Photos, voice, stickers…: say that only text is understood, and offer a person."""
        if update.effective_chat is not None:
            await self.send(
                context.bot, update.effective_chat.id, [Reply(text=NOT_TEXT, buttons=[HUMAN_BUTTON])]
            )

    async def on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Log a failed update and, where there is a chat to write to, apologize."""
        error = context.error
        update_id = update.update_id if isinstance(update, Update) else None
        if isinstance(error, Forbidden):  # the user blocked the bot: nothing can be sent
            logger.warning("update %s: Telegram refused to deliver: %s", update_id, error)
            return
        logger.error("update %s failed", update_id, exc_info=error)
        chat = update.effective_chat if isinstance(update, Update) else None
        if chat is None:
            return
        with contextlib.suppress(TelegramError):
            await self.send(context.bot, chat.id, [Reply(text=APOLOGY_UNRECORDED, buttons=[HUMAN_BUTTON])])
