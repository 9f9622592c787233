# gitwave's image: a static binary on a small Debian with git and ssh, run
# as 65532 on a read-only root filesystem; state and the Git cache live in
# /data. `make image` builds it (see README, "Install on Kubernetes").
#
# GO_IMAGE and BASE_IMAGE name the two bases; `make image` passes ones it
# builds from Debian's packages, because no registry is reachable there.
ARG GO_IMAGE=golang:1.26-bookworm
ARG BASE_IMAGE=debian:bookworm-slim

FROM ${GO_IMAGE} AS build
WORKDIR /src
ENV CGO_ENABLED=0
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
RUN go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/gitwave ./cmd/gitwave

FROM ${BASE_IMAGE}
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends git openssh-client ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && mkdir -p /data /etc/gitwave \
 && chown 65532:65532 /data
COPY --from=build /out/gitwave /usr/local/bin/gitwave
ENV HOME=/data
USER 65532:65532
WORKDIR /data
VOLUME ["/data"]
EXPOSE 8080
ENTRYPOINT ["gitwave"]
CMD ["serve", "--config", "/etc/gitwave/gitwave.yaml"]
