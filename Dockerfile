# Between: one process, its SQLite file in the /data volume, its encryption key apart in the /keys
# volume, one bot token from the environment. Dependencies come only from requirements.lock.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PTB_TIMEDELTA=1 \
    BOT_DATA_DIR=/data \
    BOT_KEY_FILE=/keys/between.key \
    BOT_DIALOGS_DIR=/app/dialogs

RUN useradd --system --create-home --uid 10001 between \
    && install -d -m 0700 -o between -g between /data /keys

WORKDIR /app
# The pinned dependencies first, in their own layer: it is rebuilt only when the lock changes.
COPY requirements.lock ./
RUN pip install --require-hashes -r requirements.lock

COPY pyproject.toml README.md ./
COPY bot ./bot
COPY dialogs ./dialogs
RUN pip install --no-deps . && pip check && between dialogs check

USER between
# matplotlib (/myweeks) builds its font list once; built here, the first picture need not wait.
RUN python -c "import matplotlib.font_manager"
VOLUME ["/data", "/keys"]
CMD ["between", "run"]
