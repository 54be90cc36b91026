#!/usr/bin/env bash
# Deploy the ACS bridge to Azure Container Apps and subscribe it to IncomingCall.
#
# Needs: az (logged in), an existing resource group, ACS resource, container registry holding
# the bridge image, and a deployed hosted agent. Every variable below is required unless it
# has a default; see docs/deploy.md for what each one is.
#
#   RESOURCE_GROUP=ops-rg ACS_NAME=ops-acs REGISTRY=opsacr.azurecr.io \
#   IMAGE=opsacr.azurecr.io/switchboard-bridge:1.0 \
#   AGENT_URL='wss://...services.ai.azure.com/api/projects/agents/endpoint/protocols/invocations_ws?project_name=ops&agent_name=switchboard' \
#   FOUNDRY_SCOPE=/subscriptions/.../resourceGroups/.../providers/Microsoft.CognitiveServices/accounts/<account> \
#   deploy/bridge/deploy.sh
set -euo pipefail
cd "$(dirname "$0")"

: "${RESOURCE_GROUP:?set RESOURCE_GROUP}" "${ACS_NAME:?set ACS_NAME}" "${REGISTRY:?set REGISTRY (e.g. myacr.azurecr.io)}"
: "${IMAGE:?set IMAGE (the bridge image)}" "${AGENT_URL:?set AGENT_URL (printed by switchboard deploy agent)}"
: "${FOUNDRY_SCOPE:?set FOUNDRY_SCOPE (resource id of the Foundry account or project)}"
APP_NAME="${APP_NAME:-switchboard-bridge}"
SAMPLE_RATE="${SAMPLE_RATE:-16000}"
FALLBACK_TARGET="${FALLBACK_TARGET:-}"
EXISTING_SYSTEM_TOPIC="${EXISTING_SYSTEM_TOPIC:-}"
RECORDING="${RECORDING:-off}"
COGNITIVE_SERVICES_ENDPOINT="${COGNITIVE_SERVICES_ENDPOINT:-}"
BRIDGE_SECRET="${BRIDGE_SECRET:-$(python3 -c 'import secrets; print(secrets.token_urlsafe(32))')}"
ACS_CONNECTION_STRING="${ACS_CONNECTION_STRING:-$(az communication list-key -g "$RESOURCE_GROUP" -n "$ACS_NAME" --query primaryConnectionString -o tsv)}"

# 1) Container app without the Event Grid subscription, so the identity exists and can be granted
#    AcrPull before the first image pull; the second pass adds the subscription once it answers.
echo "deploying $APP_NAME …"
params=(appName="$APP_NAME" image="$IMAGE" registryServer="$REGISTRY" acsName="$ACS_NAME"
        acsConnectionString="$ACS_CONNECTION_STRING" agentUrl="$AGENT_URL" bridgeSecret="$BRIDGE_SECRET"
        fallbackTarget="$FALLBACK_TARGET" sampleRate="$SAMPLE_RATE" existingSystemTopicName="$EXISTING_SYSTEM_TOPIC"
        recording="$RECORDING" cognitiveServicesEndpoint="$COGNITIVE_SERVICES_ENDPOINT")
out=$(az deployment group create -g "$RESOURCE_GROUP" -f main.bicep --query properties.outputs -o json \
  -p "${params[@]}") || {
  echo "first pass failed (usually: the image pull before AcrPull was granted, or webhook validation); granting roles and retrying" >&2
  out=""
}
principal=$(az containerapp show -g "$RESOURCE_GROUP" -n "$APP_NAME" --query identity.principalId -o tsv)
registry_id=$(az acr show -n "${REGISTRY%%.*}" --query id -o tsv)

# 2) What the bridge's identity needs: pull the image, and open sessions on the hosted agent.
az role assignment create --assignee-object-id "$principal" --assignee-principal-type ServicePrincipal \
  --role AcrPull --scope "$registry_id" -o none
az role assignment create --assignee-object-id "$principal" --assignee-principal-type ServicePrincipal \
  --role "Azure AI User" --scope "$FOUNDRY_SCOPE" -o none

if [[ -z "$out" ]]; then
  echo "waiting 60 s for role assignments to propagate …"
  sleep 60
  out=$(az deployment group create -g "$RESOURCE_GROUP" -f main.bicep --query properties.outputs -o json \
    -p "${params[@]}")
fi
url=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["bridgeUrl"]["value"])' <<<"$out")
curl -fsS "$url/healthz" >/dev/null && echo "bridge healthy at $url"
echo "IncomingCall events for $ACS_NAME now go to $url/acs/events"
echo "keep the bridge secret somewhere safe (needed to redeploy without breaking live calls): BRIDGE_SECRET=$BRIDGE_SECRET"
