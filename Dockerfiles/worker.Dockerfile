# worker: a release build with the Swift runtime linked in statically, run on slim
# Debian with only the shared libraries the binary needs, as a non-root user.
# Build from the repository root:
#   docker build -f Dockerfiles/worker.Dockerfile -t string-hashr/worker:0.1.0 .

FROM swift:6.2-bookworm AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends libuv1-dev libhiredis-dev libcurl4-openssl-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY Package.swift ./
RUN swift package resolve
COPY Sources ./Sources
COPY Tests ./Tests
RUN swift build -c release --product worker --static-swift-stdlib \
 && mkdir /out \
 && cp -R "$(swift build -c release --show-bin-path)/worker" /out/

FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends libuv1 libhiredis0.14 libstdc++6 \
 && rm -rf /var/lib/apt/lists/*
COPY --from=build /out/ /app/
USER 65532:65532
ENV PORT=8081
EXPOSE 8081
ENTRYPOINT ["/app/worker"]
