/** The cluster the rule-flow tests draw: shop/api (NodePort, named targetPort) and shop/api-v2 over one Deployment, on Node n1; `extra` appends documents. */
export const flowClusterYaml = (replicas: number, extra = ''): string => `apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: shop}
spec:
  replicas: ${replicas}
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec: {containers: [{name: c, image: x, ports: [{name: http, containerPort: 8080}]}]}
---
apiVersion: v1
kind: Service
metadata: {name: api, namespace: shop}
spec:
  type: NodePort
  clusterIP: 10.96.0.50
  selector: {app: api}
  ports: [{name: http, port: 80, targetPort: http, nodePort: 30080}]
---
apiVersion: v1
kind: Service
metadata: {name: api-v2, namespace: shop}
spec:
  clusterIP: 10.96.0.51
  selector: {app: api}
  ports: [{port: 81, targetPort: 8080}]
---
apiVersion: v1
kind: Node
metadata: {name: n1}
status:
  addresses: [{type: InternalIP, address: 192.168.0.11}]
  conditions: [{type: Ready, status: "True"}]
${extra}`;
