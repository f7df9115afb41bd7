# Police Booth: one static binary on a small non-root image.
# docker build -t policebooth . && docker run -p 8080:8080 -v booth:/data policebooth serve --demo
FROM golang:1.27.3-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/policebooth ./server/cmd/policebooth \
 && mkdir -p /out/data

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/policebooth /policebooth
COPY --from=build --chown=nonroot:nonroot /out/data /data
ENV POLICEBOOTH_DATA_DIR=/data POLICEBOOTH_ADDR=:8080
VOLUME /data
EXPOSE 8080
USER nonroot:nonroot
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s CMD ["/policebooth", "healthcheck"]
ENTRYPOINT ["/policebooth"]
CMD ["serve"]
