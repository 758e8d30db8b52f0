# The rbacdrift image: the static binary, a CA bundle (for sslmode=verify-full)
# and a non-root user, on an empty base. Nothing is pulled: `make image` builds
# the binary with the host's Go (CGO_ENABLED=0) into bin/image/, with the CA
# bundle and a passwd file next to it, then builds this with docker, podman or
# buildah.
#
#   docker run --rm --network host -v "$PWD:/work:ro" -w /work -e DATABASE_URL \
#     rbacdrift:latest check --spec rbacdrift.yaml
FROM scratch
COPY bin/image/passwd /etc/passwd
COPY bin/image/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
COPY bin/image/rbacdrift /rbacdrift
# 65532: the "nonroot" user of distroless images, which owns nothing here.
USER 65532:65532
ENV SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt
ENTRYPOINT ["/rbacdrift"]
CMD ["help"]
