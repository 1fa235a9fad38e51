#!/bin/sh
# Builds the epost .deb with its own Java runtime (ADR 0132): jlink makes a runtime of the modules
# epost.jar needs, jpackage wraps it with the jar into /opt/epost, and the package's maintainer
# scripts (deb/) put the command on PATH, the systemd user unit, the desktop entry and the icon in
# place. Not part of the default build.
#
#   mvn -B -o -q -pl epost -am install -DskipTests   # makes epost/target/epost.jar
#   epost/packaging/build-deb.sh                      # -> epost/target/deb/epost_VERSION_amd64.deb
#
# Needs JDK 17's jlink and jpackage, dpkg-deb and fakeroot (binutils for --strip-debug).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
target=$(cd "$here/.." && pwd)/target
jar="$target/epost.jar"
[ -f "$jar" ] || { echo "no $jar: build epost first (mvn -pl epost -am install -DskipTests)" >&2; exit 2; }
jdk=${JAVA_HOME:-/usr/lib/jvm/java-17-openjdk-amd64}
version=$(unzip -p "$jar" META-INF/MANIFEST.MF | sed -n 's/^Implementation-Version: *//p' | tr -d '\r')
debversion=$(echo "$version" | sed 's/-SNAPSHOT/~snapshot/')
work="$target/deb-work"
out="$target/deb"
rm -rf "$work" "$out"
mkdir -p "$work/input" "$work/resources" "$out"
cp "$jar" "$work/input/epost.jar"
cp "$here/deb/epost.service" "$here/deb/epost.desktop" "$here/deb/epost.svg" "$work/input/"
cp "$here/../../README.md" "$work/input/README.md"
cp "$here/deb/postinst" "$here/deb/prerm" "$here/deb/postrm" "$here/deb/control" "$work/resources/"

# The modules epost.jar uses (jdeps), and those it reaches by name at run time: elliptic-curve
# TLS and X.509 (jdk.crypto.ec), the status page's server (jdk.httpserver), the tray (java.desktop).
modules=$("$jdk/bin/jdeps" --print-module-deps --ignore-missing-deps --multi-release 17 "$jar")
modules="$modules,jdk.crypto.ec,jdk.httpserver,jdk.localedata,java.desktop"
"$jdk/bin/jlink" --add-modules "$modules" --include-locales en \
  --strip-debug --no-header-files --no-man-pages --compress=2 \
  --output "$work/runtime"

"$jdk/bin/jpackage" --type deb --dest "$out" \
  --name epost --app-version "$debversion" \
  --vendor "ePOST" --description "ePOST: peer-to-peer mail on a ring of peers (daemon, IMAP/SMTP on loopback, status page)" \
  --input "$work/input" --main-jar epost.jar --main-class org.epost.mail.cli.Epost \
  --runtime-image "$work/runtime" --resource-dir "$work/resources" \
  --linux-package-name epost --linux-app-category mail \
  --linux-deb-maintainer "epost@localhost" --install-dir /opt
ls -l "$out"/*.deb
