#!/usr/bin/env python3
"""Parses every deployment file and checks the hardening they promise; exits non-zero naming each breach.

Kubernetes (deploy/kubernetes, every document of every file): non-root pods under the RuntimeDefault seccomp profile,
containers without privilege escalation, with a read-only root filesystem and every capability dropped, every probe
bounded by timeoutSeconds, images pinned (a tag, never latest); the gateway spread across nodes, covered by a
PodDisruptionBudget, with its metrics port declared and annotated for scraping but not in its Service.
docker-compose.yml: the gateway replicas and Redis have healthchecks.
"""
import pathlib
import sys

import yaml

root = pathlib.Path(__file__).resolve().parent.parent
failures = []


def check(condition, message):
    if not condition:
        failures.append(message)


documents = []
for path in sorted((root / "deploy" / "kubernetes").glob("*.yaml")):
    try:
        documents += [(path.name, d) for d in yaml.safe_load_all(path.read_text()) if d is not None]
    except yaml.YAMLError as error:
        failures.append(f"{path.name}: not valid YAML: {error}")

kustomization = next((d for _, d in documents if d.get("kind") == "Kustomization"), {})
listed = set(kustomization.get("resources", []))
for path in (root / "deploy" / "kubernetes").glob("*.yaml"):
    check(path.name == "kustomization.yaml" or path.name in listed, f"{path.name} is not listed in kustomization.yaml")

deployments = {d["metadata"]["name"]: (name, d) for name, d in documents if d.get("kind") == "Deployment"}
check({"kling-gateway", "kling-gateway-redis"} <= deployments.keys(), "the gateway and Redis Deployments are missing")
for deployment, (name, d) in deployments.items():
    where = f"{name}: Deployment {deployment}"
    pod = d["spec"]["template"]["spec"]
    pod_security = pod.get("securityContext", {})
    check(pod_security.get("runAsNonRoot") is True, f"{where}: pod securityContext.runAsNonRoot must be true")
    check(pod_security.get("seccompProfile", {}).get("type") == "RuntimeDefault", f"{where}: seccompProfile must be RuntimeDefault")
    check(pod.get("automountServiceAccountToken") is False, f"{where}: automountServiceAccountToken must be false")
    for container in pod["containers"]:
        at = f"{where}, container {container['name']}"
        security = container.get("securityContext", {})
        check(security.get("allowPrivilegeEscalation") is False, f"{at}: allowPrivilegeEscalation must be false")
        check(security.get("readOnlyRootFilesystem") is True, f"{at}: readOnlyRootFilesystem must be true")
        check("ALL" in security.get("capabilities", {}).get("drop", []), f"{at}: capabilities.drop must include ALL")
        image = container["image"]
        tag = image.rsplit("/", 1)[-1].partition(":")[2]
        check(tag not in ("", "latest"), f"{at}: image {image} must be pinned to a tag other than latest")
        for probe in ("livenessProbe", "readinessProbe", "startupProbe"):
            if probe in container:
                check("timeoutSeconds" in container[probe], f"{at}: {probe} needs timeoutSeconds")
        check("readinessProbe" in container and "livenessProbe" in container, f"{at}: needs liveness and readiness probes")

if "kling-gateway" in deployments:
    name, gateway = deployments["kling-gateway"]
    pod = gateway["spec"]["template"]
    ports = {p.get("name"): p["containerPort"] for c in pod["spec"]["containers"] for p in c.get("ports", [])}
    check(ports.get("metrics") == 9090, f"{name}: the gateway container must declare its metrics port (9090)")
    annotations = pod["metadata"].get("annotations", {})
    check(annotations.get("prometheus.io/port") == "9090", f"{name}: the gateway pods must be annotated for scraping on 9090")
    check(pod["spec"].get("topologySpreadConstraints"), f"{name}: the gateway needs topologySpreadConstraints")
    budgets = [d for _, d in documents if d.get("kind") == "PodDisruptionBudget"]
    check(any(b["spec"]["selector"]["matchLabels"] == gateway["spec"]["selector"]["matchLabels"] for b in budgets),
          f"{name}: no PodDisruptionBudget selects the gateway")
    for _, service in ((n, d) for n, d in documents if d.get("kind") == "Service" and d["metadata"]["name"] == "kling-gateway"):
        check(all(p.get("targetPort") not in ("metrics", 9090) for p in service["spec"]["ports"]),
              "the gateway's Service must not expose the metrics port")

secrets = [d for _, d in documents if d.get("kind") == "Secret"]
check(any("REDIS_PASSWORD" in s.get("stringData", {}) for s in secrets), "the Secret must hold REDIS_PASSWORD")
if "kling-gateway-redis" in deployments:
    redis = deployments["kling-gateway-redis"][1]["spec"]["template"]["spec"]["containers"][0]
    check("--requirepass" in redis.get("args", []), "Redis must require the password from the Secret")

try:
    compose = yaml.safe_load((root / "docker-compose.yml").read_text())
    for service in ("redis", "gateway-1", "gateway-2"):
        check("healthcheck" in compose["services"][service], f"docker-compose.yml: {service} needs a healthcheck")
except yaml.YAMLError as error:
    failures.append(f"docker-compose.yml: not valid YAML: {error}")

for failure in failures:
    print("deploy check: " + failure, file=sys.stderr)
print(f"deploy files: {len(documents)} Kubernetes documents and docker-compose.yml checked, {len(failures)} problems")
sys.exit(1 if failures else 0)
