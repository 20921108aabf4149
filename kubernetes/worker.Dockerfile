# The Burst worker image for the Kubernetes backend: a JDK 21+ and Burst's jars in /opt/burst/lib,
# which is what KubernetesCluster's defaults expect (imageLayout("java", "/opt/burst/lib/*")).
#
#   bin/test -DskipTests -q install && mvn -q -f burst-cli dependency:copy-dependencies -DoutputDirectory=kubernetes/lib
#   cp burst-cli/target/burst-cli-*.jar kubernetes/lib/ && docker build -f kubernetes/worker.Dockerfile -t burst-worker:0.1.0 kubernetes
FROM eclipse-temurin:21-jre
RUN useradd --uid 10001 --create-home burst
COPY lib/ /opt/burst/lib/
USER 10001
WORKDIR /home/burst
# The pod's command and arguments come from the cluster (java ... WorkerMain --scheduler ... --name ...).
ENTRYPOINT []
