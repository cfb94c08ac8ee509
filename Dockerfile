FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    KIZUNA_HOST=0.0.0.0 \
    KIZUNA_PORT=8080 \
    KIZUNA_DATA_DIR=/data

WORKDIR /srv/kizuna
COPY pyproject.toml README.md alembic.ini ./
COPY app ./app
COPY migrations ./migrations
RUN pip install . \
    && useradd --system --uid 10001 --home-dir /data --create-home kizuna

USER kizuna
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 \
    CMD python -c "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8080/_kizuna/health', timeout=2).status == 200 else 1)"
ENTRYPOINT ["kizuna"]
CMD ["serve"]
