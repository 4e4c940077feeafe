# driftd container image.
#
#   docker build -t driftd .
#   docker run -p 8080:8080 -v driftd-state:/var/lib/driftd driftd
#
# Two stages: a Debian 12 build stage with the full toolchain (scripts/install-deps.sh) and a
# debian:12-slim runtime stage holding the binaries, exactly the shared libraries they link
# (derived from ldd in the build stage by docker/runtime-packages.sh, so the list follows the
# code), curl for the health check and sqlite3 for backups. The process runs as the
# unprivileged user `driftd` (uid 10001); its state is the volume /var/lib/driftd.
# See docs/operations.md ("Docker Compose") for secrets, configuration and the demo profile.

FROM debian:12 AS build
WORKDIR /src
COPY scripts/install-deps.sh scripts/install-deps.sh
RUN scripts/install-deps.sh && rm -rf /var/lib/apt/lists/*
COPY . .
RUN cmake -S . -B /build -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX=/usr \
          -DCMAKE_INSTALL_SYSCONFDIR=/etc -DDRIFTD_BUILD_TESTS=OFF \
 && cmake --build /build -j"$(nproc)" \
 && DESTDIR=/out cmake --install /build \
 && strip /out/usr/bin/* \
 && docker/runtime-packages.sh /out/usr/bin/* > /out/runtime-packages.txt \
 && cat /out/runtime-packages.txt

FROM debian:12-slim AS runtime
COPY --from=build /out/runtime-packages.txt /tmp/runtime-packages.txt
RUN apt-get update -qq \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      ca-certificates curl sqlite3 $(cat /tmp/runtime-packages.txt) \
 && rm -rf /var/lib/apt/lists/* /tmp/runtime-packages.txt \
 && useradd --system --uid 10001 --user-group --home-dir /var/lib/driftd --no-create-home \
      --shell /usr/sbin/nologin driftd \
 && install -d -o driftd -g driftd -m 0700 /var/lib/driftd
COPY --from=build /out/usr/ /usr/
COPY docker/driftd.yaml /etc/driftd/driftd.yaml
COPY docker/demo.yaml /etc/driftd/demo.yaml

ENV DRIFTD_CONFIG=/etc/driftd/driftd.yaml \
    CREDENTIALS_DIRECTORY=/run/secrets
USER driftd
WORKDIR /var/lib/driftd
VOLUME ["/var/lib/driftd"]
EXPOSE 8080
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD curl -fsS -o /dev/null http://127.0.0.1:8080/healthz || exit 1
ENTRYPOINT ["driftd"]
CMD ["serve"]
