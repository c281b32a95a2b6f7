# Between: one process, one SQLite file in the /data volume, one bot token from the environment.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PTB_TIMEDELTA=1 \
    BOT_DATA_DIR=/data \
    BOT_DIALOGS_DIR=/app/dialogs

RUN useradd --system --create-home --uid 10001 between \
    && mkdir /data && chown between:between /data

WORKDIR /app
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY dialogs ./dialogs
RUN pip install . && between dialogs check

USER between
VOLUME ["/data"]
CMD ["between", "run"]
