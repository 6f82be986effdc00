# istiowatcher: a release build with the Swift runtime linked in statically, run on slim
# Debian with only the shared libraries the binary needs, as a non-root user.
# Build from the repository root:
#   docker build -f Dockerfiles/istiowatcher.Dockerfile -t string-hashr/istiowatcher:0.1.0 .

FROM swift:6.2-bookworm AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends libuv1-dev libhiredis-dev libcurl4-openssl-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY Package.swift ./
RUN swift package resolve
COPY Sources ./Sources
COPY Tests ./Tests
RUN swift build -c release --product istiowatcher --static-swift-stdlib \
 && mkdir /out \
 && cp -R "$(swift build -c release --show-bin-path)/istiowatcher" /out/

FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends libuv1 libhiredis0.14 libstdc++6 libcurl4 ca-certificates \
 && rm -rf /var/lib/apt/lists/*
COPY --from=build /out/ /app/
USER 65532:65532
ENV PORT=8083
EXPOSE 8083
ENTRYPOINT ["/app/istiowatcher"]
