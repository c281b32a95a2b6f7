"""Telegram's command menu for each kind of person: only commands that work are listed."""

from __future__ import annotations

from typing import Any

from telegram import BotCommand, BotCommandScopeAllPrivateChats, BotCommandScopeChat
from telegram.ext import ExtBot

from bot.core.model import Role
from bot.tg.context import Services

CLIENT_COMMANDS = (
    "start", "menu", "checkin", "agenda", "myweeks", "share", "team", "settings", "pause",
    "resume", "helpnow", "mydata", "delete", "language", "help",
)  # fmt: skip
MENUS: dict[Role, tuple[str, ...]] = {
    Role.CLIENT: CLIENT_COMMANDS,
    Role.CLINICIAN: ("clients", "invite", "helpnow", "language", "help"),
    Role.PEER: ("clients", "invite", "nudge", "helpnow", "language", "help"),
    Role.NETWORK: ("clients", "helpnow", "mydata", "delete", "language", "help"),
}


def command_list(services: Services, language: str, names: tuple[str, ...]) -> list[BotCommand]:
    """Telegram menu entries for ``names`` in ``language``."""
    catalog = services.catalog
    return [BotCommand(name, catalog.get(language, f"commands.{name}")) for name in names]


async def set_default_commands(bot: ExtBot[Any], services: Services) -> None:
    """The menu every private chat starts with (clients'): in the service's language, and in
    each language people may choose for those whose Telegram is set to it."""
    catalog = services.catalog
    scope = BotCommandScopeAllPrivateChats()
    await bot.set_my_commands(
        command_list(services, catalog.default, CLIENT_COMMANDS), scope=scope
    )
    for language in catalog.choices:
        await bot.set_my_commands(
            command_list(services, language, CLIENT_COMMANDS),
            scope=scope,
            language_code=language,
        )


async def set_chat_commands(
    bot: ExtBot[Any], services: Services, chat_id: int, language: str, role: Role
) -> None:
    """The menu of one person's chat, for their role."""
    names = MENUS[role]
    if role is Role.CLINICIAN and services.settings.service.nudges.clinicians:
        names = ("clients", "invite", "nudge", "helpnow", "language", "help")
    await bot.set_my_commands(
        command_list(services, language, names), scope=BotCommandScopeChat(chat_id)
    )
