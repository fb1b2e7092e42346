# census container image: build with the Swift toolchain image, run on Debian 12 slim.
#   docker build -t census .            (from the repository root; compose/docker-compose.yml does this)
# The runtime image holds the census binary (Swift runtime linked statically), librdkafka and libcurl from Debian.

FROM swift:6.3-bookworm AS build
RUN apt-get update && apt-get install -y --no-install-recommends librdkafka-dev libcurl4-openssl-dev zlib1g-dev pkg-config \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
# Resolve dependencies in their own layer so source edits do not re-fetch them.
COPY Package.swift ./
RUN swift package resolve
COPY Sources ./Sources
COPY Tests ./Tests
RUN swift build -c release --static-swift-stdlib --product census \
    && install -D "$(swift build -c release --show-bin-path)/census" /out/census

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends librdkafka1 libcurl4 zlib1g ca-certificates curl tzdata \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --home-dir /nonexistent --shell /usr/sbin/nologin census
COPY --from=build /out/census /usr/local/bin/census
USER census
# The API (and /metrics, /readyz) listen on all interfaces inside the container.
ENV CENSUS_API_ADDR=0.0.0.0:8090
EXPOSE 8090
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 CMD curl -fsS http://127.0.0.1:8090/readyz || exit 1
ENTRYPOINT ["/usr/local/bin/census"]
CMD ["run"]
