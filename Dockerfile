# syntax=docker/dockerfile:1
# One image for every Portside process: both shops under gunicorn (the before shop where
# the tree has before/), their Celery workers and beats, and the one-shot migrations.
# docker-compose.yml says which runs where.
FROM python:3.13-slim

ENV PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_ROOT_USER_ACTION=ignore

WORKDIR /app

# The pinned runtime requirements first, so a code change reuses this layer. Every pin
# has a binary wheel (psycopg[binary] brings its own libpq): no compiler, no apt.
COPY requirements/base.txt requirements/base.txt
RUN pip install --requirement requirements/base.txt

# The code: the whole build context, which .dockerignore narrows to what the processes
# run (manage.py, config, domain, application, adapters, outside, and before/ where the
# tree has the before version; on refactor/10-after it does not).
COPY . .

# Static files for each shop (var/static, and var/static-before where before/ is
# present), and var/ writable for the unprivileged user (Celery beat keeps its schedule
# file there). The secret key only lets the settings load with debug off; nothing is
# signed at build time. The after shop's are collected as production does (compressed,
# hashed names and a manifest), which serves the development settings as well.
RUN set -eu; \
    export DJANGO_DEBUG=0 DJANGO_SECRET_KEY=collectstatic-only-not-a-secret; \
    DJANGO_ENV=production DJANGO_ALLOWED_HOSTS=build CACHE_URL=redis://build:6379/0 \
      PAYMENT_PROVIDER=stripe STRIPE_SECRET_KEY=build STRIPE_WEBHOOK_SECRET=build \
      STRIPE_PAY_URL=https://build/pay/ \
      DJANGO_SETTINGS_MODULE=config.settings python manage.py collectstatic --no-input; \
    python -m compileall -q config domain application adapters outside; \
    if [ -d before ]; then \
      DJANGO_SETTINGS_MODULE=before.settings python manage.py collectstatic --no-input; \
      python -m compileall -q before; \
    fi; \
    useradd --system --user-group --no-create-home --home-dir /app --shell /usr/sbin/nologin portside; \
    chown portside:portside var

USER portside

EXPOSE 8000 8001
CMD ["gunicorn", "--config", "config/gunicorn.py", "config.wsgi"]
