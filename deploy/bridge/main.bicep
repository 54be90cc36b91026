// The ACS phone bridge on Azure Container Apps, and the Event Grid subscription that sends
// it IncomingCall events. Deploy with deploy/bridge/deploy.sh (which also grants the app's
// identity access to the Foundry agent); every setting is described in docs/deploy.md.

@description('Region for the Container Apps environment and app.')
param location string = resourceGroup().location

@description('Container app name; also the first label of its public host name.')
param appName string = 'switchboard-bridge'

@description('Bridge image, e.g. myacr.azurecr.io/switchboard-bridge:1.0 (docker build --target bridge).')
param image string

@description('Registry server of the image (its pull uses the app identity with AcrPull).')
param registryServer string

@description('Name of the existing Azure Communication Services resource (same resource group).')
param acsName string

@description('ACS connection string, for answering and transferring calls.')
@secure()
param acsConnectionString string

@description('The hosted agent WebSocket endpoint printed by `switchboard deploy agent`.')
param agentUrl string

@description('Signs callback/media URL tokens and authenticates Event Grid (?secret=). 32+ random characters.')
@secure()
param bridgeSecret string

@description('Where calls go when the agent is unreachable: +E.164 number or ACS raw id. Empty: apologise and hang up.')
param fallbackTarget string = ''

@description('Audio rate on the ACS media stream: 16000 or 24000.')
@allowed(['16000', '24000'])
param sampleRate string = '16000'

@description('Record phone calls after a consent prompt (Call Automation recording): on or off. docs/handoff.md.')
@allowed(['on', 'off'])
param recording string = 'off'

@description('Azure AI services endpoint connected to the ACS resource: speaks hold prompts, consent and the warm-transfer briefing. Empty: transfers still connect, without a spoken briefing.')
param cognitiveServicesEndpoint string = ''

@description('Create the ACS Event Grid system topic (false if the ACS resource already has one: give its name).')
param existingSystemTopicName string = ''

var fqdn = '${appName}.${environment.properties.defaultDomain}'

resource logs 'Microsoft.OperationalInsights/workspaces@2023-09-01' = {
  name: '${appName}-logs'
  location: location
  properties: { sku: { name: 'PerGB2018' }, retentionInDays: 30 }
}

resource environment 'Microsoft.App/managedEnvironments@2024-03-01' = {
  name: '${appName}-env'
  location: location
  properties: {
    appLogsConfiguration: {
      destination: 'log-analytics'
      logAnalyticsConfiguration: {
        customerId: logs.properties.customerId
        sharedKey: logs.listKeys().primarySharedKey
      }
    }
  }
}

resource app 'Microsoft.App/containerApps@2024-03-01' = {
  name: appName
  location: location
  identity: { type: 'SystemAssigned' }
  properties: {
    managedEnvironmentId: environment.id
    configuration: {
      ingress: {
        external: true
        targetPort: 8089
        transport: 'auto' // HTTP/1.1 with WebSocket upgrade for /acs/media
        allowInsecure: false
      }
      registries: [ { server: registryServer, identity: 'system' } ]
      secrets: [
        { name: 'acs-connection-string', value: acsConnectionString }
        { name: 'bridge-secret', value: bridgeSecret }
      ]
    }
    template: {
      containers: [
        {
          name: 'bridge'
          image: image
          resources: { cpu: json('0.5'), memory: '1Gi' }
          env: [
            { name: 'SWITCHBOARD_BRIDGE_PORT', value: '8089' }
            { name: 'SWITCHBOARD_BRIDGE_PUBLIC_URL', value: 'https://${fqdn}' }
            { name: 'SWITCHBOARD_BRIDGE_AGENT_URL', value: agentUrl }
            { name: 'SWITCHBOARD_BRIDGE_AGENT_AUTH', value: 'entra' }
            { name: 'SWITCHBOARD_BRIDGE_SAMPLE_RATE', value: sampleRate }
            { name: 'SWITCHBOARD_BRIDGE_FALLBACK_TARGET', value: fallbackTarget }
            { name: 'SWITCHBOARD_BRIDGE_ACS_CONNECTION_STRING', secretRef: 'acs-connection-string' }
            { name: 'SWITCHBOARD_BRIDGE_SECRET', secretRef: 'bridge-secret' }
            // ACS signs callbacks and the media upgrade with a JWT for this audience: require it.
            { name: 'SWITCHBOARD_BRIDGE_ACS_AUDIENCE', value: acs.properties.immutableResourceId }
            { name: 'SWITCHBOARD_BRIDGE_RECORDING', value: recording }
            { name: 'SWITCHBOARD_BRIDGE_COGNITIVE_SERVICES_ENDPOINT', value: cognitiveServicesEndpoint }
          ]
          probes: [
            { type: 'Liveness', httpGet: { path: '/healthz', port: 8089 }, periodSeconds: 15 }
            { type: 'Readiness', httpGet: { path: '/healthz', port: 8089 }, periodSeconds: 5 }
          ]
        }
      ]
      // Calls are long-lived WebSockets: keep one replica warm, scale on concurrent requests.
      scale: {
        minReplicas: 1
        maxReplicas: 5
        rules: [ { name: 'calls', http: { metadata: { concurrentRequests: '40' } } } ]
      }
    }
  }
}

resource acs 'Microsoft.Communication/communicationServices@2023-04-01' existing = {
  name: acsName
}

resource newTopic 'Microsoft.EventGrid/systemTopics@2022-06-15' = if (empty(existingSystemTopicName)) {
  name: '${acsName}-events'
  location: 'global'
  properties: {
    source: acs.id
    topicType: 'Microsoft.Communication.CommunicationServices'
  }
}

resource topic 'Microsoft.EventGrid/systemTopics@2022-06-15' existing = {
  name: empty(existingSystemTopicName) ? '${acsName}-events' : existingSystemTopicName
}

// Event Grid validates the webhook (SubscriptionValidation) when this is created: the bridge
// must already be answering, hence the dependency on the app.
resource incomingCall 'Microsoft.EventGrid/systemTopics/eventSubscriptions@2022-06-15' = {
  parent: topic
  name: 'switchboard-incoming-call'
  dependsOn: [ app, newTopic ]
  properties: {
    destination: {
      endpointType: 'WebHook'
      properties: {
        endpointUrl: 'https://${fqdn}/acs/events?secret=${bridgeSecret}'
        maxEventsPerBatch: 1
      }
    }
    filter: { includedEventTypes: [ 'Microsoft.Communication.IncomingCall' ] }
    eventDeliverySchema: 'EventGridSchema'
    // A ringing call is worthless a minute later: do not retry for long.
    retryPolicy: { maxDeliveryAttempts: 3, eventTimeToLiveInMinutes: 1 }
  }
}

output bridgeUrl string = 'https://${fqdn}'
output principalId string = app.identity.principalId
