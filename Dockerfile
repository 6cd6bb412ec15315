# Build: docker build -t kling-gateway .            (the gateway; the default, last stage)
#        docker build -t kling-simulator --target simulator .
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY Directory.Build.props Directory.Packages.props appsettings.json ./
COPY src/Kling.Simulator/Kling.Simulator.csproj src/Kling.Simulator/
COPY src/Kling.Gateway/Kling.Gateway.csproj src/Kling.Gateway/
RUN dotnet restore src/Kling.Gateway/Kling.Gateway.csproj
COPY src/ src/
RUN dotnet publish src/Kling.Gateway/Kling.Gateway.csproj -c Release --no-restore -o /out/gateway -p:UseAppHost=false \
 && dotnet publish src/Kling.Simulator/Kling.Simulator.csproj -c Release --no-restore -o /out/simulator -p:UseAppHost=false

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS simulator
WORKDIR /app
COPY --from=build /out/simulator .
USER $APP_UID
ENV ASPNETCORE_HTTP_PORTS=8090
EXPOSE 8090
ENTRYPOINT ["dotnet", "Kling.Simulator.dll"]

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS gateway
WORKDIR /app
COPY --from=build /out/gateway .
# The SQLite store (Store:Sqlite:Path = data/gateway.db) is the one place the gateway writes: mount a volume here.
RUN mkdir -p /app/data && chown $APP_UID /app/data
VOLUME /app/data
# The image's unprivileged "app" user.
USER $APP_UID
ENV ASPNETCORE_HTTP_PORTS=8080 \
    ASPNETCORE_ENVIRONMENT=Production
# 8080: the API and its health probes. 9090 (Metrics__Port): /metrics, for the scraper only; do not publish it.
EXPOSE 8080 9090
ENTRYPOINT ["dotnet", "Kling.Gateway.dll"]
