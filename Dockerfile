# threaddigest as a container: a static binary on distroless, run as an
# unprivileged user. README "Deployment".
#
#   docker build --build-arg VERSION=v1.2.0 -t threaddigest .
#   docker run --rm -v "$PWD/config.toml:/etc/threaddigest/config.toml:ro" -p 127.0.0.1:8080:8080 threaddigest

ARG GO_VERSION=1.26

FROM golang:${GO_VERSION}-bookworm AS build
WORKDIR /src
# Modules first: this layer is reused while only our code changes.
COPY go.mod go.sum ./
RUN go mod download
COPY . .
# VERSION names the build in `threaddigest version`, the startup log, the
# User-Agent and threaddigest_build_info (the image has no .git to read it
# from).
ARG VERSION=
# CGO_ENABLED=0: pure Go (SQLite is modernc.org/sqlite), so the binary is
# static and runs on an image without a C library. timetzdata embeds the
# zone database that schedules (CRON_TZ=Europe/Berlin) need.
RUN CGO_ENABLED=0 go build -trimpath -tags timetzdata \
        -ldflags "-s -w -X github.com/threaddigest/threaddigest/version.release=${VERSION}" \
        -o /out/threaddigest ./cmd/threaddigest \
    && mkdir -p /out/data

# distroless/static: CA certificates and /etc/passwd with the nonroot user
# (65532), no shell, no package manager.
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/threaddigest /usr/local/bin/threaddigest
COPY --from=build --chown=65532:65532 /out/data /data
# The licences travel with the image as files, where licence scanners and
# people without a shell in the image look: ours, the data credits, and the
# third-party Go modules compiled into the binary (the binary also prints
# the last with `threaddigest version --licenses`).
COPY LICENSE NOTICE licenses/THIRD_PARTY.txt /usr/share/doc/threaddigest/
# State (an SQLite file, file: destinations) lives in /data; relative paths in
# the configuration are read from here.
WORKDIR /data
VOLUME /data
# Inside a container the server must listen on every interface to be
# reachable through a published port; outside one the default stays
# 127.0.0.1:8080. Publish the port on the host's loopback
# (-p 127.0.0.1:8080:8080) unless a proxy in front of it needs more.
ENV THREADDIGEST_HTTP_LISTEN=0.0.0.0:8080 \
    THREADDIGEST_STORE_URL=sqlite:/data/threaddigest.db \
    THREADDIGEST_LOG_FORMAT=json
EXPOSE 8080
USER 65532:65532
# The binary asks its own /healthz: the image has no curl.
HEALTHCHECK --interval=30s --timeout=10s --start-period=60s --retries=3 \
    CMD ["/usr/local/bin/threaddigest", "healthcheck", "--timeout", "5s"]
ENTRYPOINT ["/usr/local/bin/threaddigest"]
CMD ["serve", "--config", "/etc/threaddigest/config.toml"]
