"""An in-process stand-in for the Telegram Bot API that the real PTB stack talks to."""

from bot.standin.faults import FAULT_KINDS, MESSAGE_METHODS, Fault
from bot.standin.records import ChatMessage, FakeUser
from bot.standin.text import utf16_len
from bot.standin.transport import FakeBotAPI

__all__ = [
    "FAULT_KINDS",
    "MESSAGE_METHODS",
    "ChatMessage",
    "FakeBotAPI",
    "FakeUser",
    "Fault",
    "utf16_len",
]
