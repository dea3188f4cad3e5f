# The bot's one image: the web app (gunicorn, the default command) and the scheduler (compose.yaml
# runs `flask --app app scheduler` from the same image). docs/deploy.md walks through it.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    HEARINGBOT_DATABASE=/data/hearingbot.db

# Not root: the processes own the database volume (/data, mode 700) and nothing else.
RUN useradd --system --uid 10001 --user-group --no-create-home --home-dir /nonexistent hearingbot \
    && mkdir -p /data && chown hearingbot:hearingbot /data && chmod 700 /data

WORKDIR /app
# The runtime lock only (no test tools), every package checked against its hash.
COPY requirements.txt .
RUN pip install --require-hashes -r requirements.txt
COPY . .
# Catalogs are build output (*.mo). Loading the app to compile them needs a secret; a throwaway one,
# for this step only, so no key is generated into the image's instance/ folder. The app sets umask 077,
# so the .mo files come out 0600 and root's: everything under /app is made readable (not writable) for
# the bot's user, whatever the modes of the checkout it was built from.
RUN HEARINGBOT_SECRET_KEY=build-only-throwaway-key-not-used-at-runtime flask --app app translate compile \
    && test ! -e instance \
    && chmod -R a+rX,go-w /app

USER hearingbot
EXPOSE 8000
# GET /healthz answers 200 while the database can be read; no curl in a slim image, so Python's urllib.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4).status != 200)"]
# No control socket (gunicorn 27 opens one in $HOME by default): nothing here should reload or stop workers.
CMD ["gunicorn", "--workers", "2", "--bind", "0.0.0.0:8000", "--no-control-socket", "app:create_app()"]
