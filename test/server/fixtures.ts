/** Manifests shared by the server tests. */
export const DEPLOY = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 2
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
        tier: front
    spec:
      containers:
      - name: main
        image: nginx
        ports:
        - name: http
          containerPort: 8080
        - name: dns
          containerPort: 5353
          protocol: UDP
`;

export const SVC = `apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector:
    app: web
  ports:
  - name: http
    port: 80
    targetPort: http
`;

export const NOT_READY_POD = `apiVersion: v1
kind: Pod
metadata:
  name: api-0
  labels:
    app: api
spec:
  containers:
  - name: api
    image: api
    ports:
    - name: grpc
      containerPort: 9000
status:
  phase: Running
  podIP: 10.244.1.7
  conditions:
  - type: Ready
    status: "False"
    reason: ContainersNotReady
`;
