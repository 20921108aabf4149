# shellcheck shell=bash
#
# Finds a JDK that can build and run Burst (Java 21 or newer). Source this file, then call
#
#     burst_find_jdk || exit 1
#
# On success it exports JAVA_HOME (a JDK >= 21 with bin/java and bin/javac), puts
# $JAVA_HOME/bin first on PATH and sets BURST_JAVA_MAJOR (e.g. 25). On failure it prints what it
# checked and what to install to stderr and returns 1. It never exits the caller and caches
# nothing on disk.
#
# Order: $JAVA_HOME if it is a JDK >= 21; else the newest JDK >= 21 in the directories under
# $BURST_JVM_ROOT (default /usr/lib/jvm; a colon-separated list of roots is allowed).
#
# burst_maven_opts: call after burst_find_jdk, before running mvn. On JDK 24+ it adds
# --sun-misc-unsafe-memory-access=allow to MAVEN_OPTS, which silences the sun.misc.Unsafe
# warnings Maven's own Guava prints there.
#
# Safe under `set -euo pipefail`.

BURST_MIN_JAVA=21

# Prints the major version of a version string: "1.8.0_292" -> 8, "17.0.15" -> 17, "21" -> 21,
# "25-ea" -> 25. Returns 1 if it has no leading number.
_burst_major_of() {
  local v=${1:-}
  v=${v#\"}
  if [[ $v =~ ^1\.([0-9]+) ]]; then
    printf '%s\n' "${BASH_REMATCH[1]}"
  elif [[ $v =~ ^([0-9]+) ]]; then
    printf '%s\n' "$((10#${BASH_REMATCH[1]}))"
  else
    return 1
  fi
}

# Prints the Java major version of the JDK in directory $1, or prints why it is not usable
# and returns 1. The `release` file is read first (no JVM start); if it has no JAVA_VERSION the
# JDK's java is asked for its java.specification.version.
_burst_jdk_major() {
  local dir=$1 v=""
  if [[ ! -x $dir/bin/java ]]; then
    echo "no bin/java"
    return 1
  fi
  if [[ ! -x $dir/bin/javac ]]; then
    echo "no bin/javac (a JRE, not a JDK)"
    return 1
  fi
  if [[ -r $dir/release ]]; then
    v=$(sed -n 's/^JAVA_VERSION=//p' "$dir/release" 2>/dev/null || true)
    v=${v%%$'\n'*}
    v=${v//\"/}
  fi
  if [[ -z $v ]]; then
    v=$("$dir/bin/java" -XshowSettings:properties -version 2>&1 \
          | sed -n 's/^[[:space:]]*java\.specification\.version[[:space:]]*=[[:space:]]*//p' || true)
    v=${v%%$'\n'*}
  fi
  if ! _burst_major_of "$v"; then
    echo "version unknown (no JAVA_VERSION in release, java.specification.version='${v}')"
    return 1
  fi
}

burst_find_jdk() {
  local min=$BURST_MIN_JAVA major="" dir root best="" best_major=0 checked=""
  local -a roots=()

  if [[ -n ${JAVA_HOME:-} ]]; then
    dir=${JAVA_HOME%/}
    if major=$(_burst_jdk_major "$dir") && ((major >= min)); then
      best=$dir
      best_major=$major
    else
      [[ $major =~ ^[0-9]+$ ]] && major="Java $major"
      checked+="  JAVA_HOME=$dir: $major"$'\n'
    fi
  fi

  if [[ -z $best ]]; then
    IFS=: read -r -a roots <<<"${BURST_JVM_ROOT:-/usr/lib/jvm}"
    for root in "${roots[@]}"; do
      [[ -n $root ]] || continue
      if [[ ! -d $root ]]; then
        checked+="  $root: no such directory"$'\n'
        continue
      fi
      local found_any=false
      for dir in "$root"/*; do
        [[ -d $dir ]] || continue
        found_any=true
        if major=$(_burst_jdk_major "$dir"); then
          if ((major > best_major)); then
            best_major=$major
            [[ $major -ge $min ]] && best=$dir
          fi
          checked+="  $dir: Java $major"$'\n'
        else
          checked+="  $dir: $major"$'\n'
        fi
      done
      $found_any || checked+="  $root: empty"$'\n'
    done
  fi

  if [[ -z $best ]]; then
    {
      echo "burst: no JDK $min or newer found (Burst needs Java $min+ with javac)."
      echo "Checked:"
      printf '%s' "${checked:-  (nothing)}"
      echo "Fix: install a JDK $min+ (e.g. Eclipse Temurin 21 or 25) under ${BURST_JVM_ROOT:-/usr/lib/jvm},"
      echo "     or set JAVA_HOME to one. Debian 12's apt has no openjdk-21; use the Adoptium apt"
      echo "     repository (packages.adoptium.net, package temurin-21-jdk) or a JDK tarball from"
      echo "     https://adoptium.net unpacked under /usr/lib/jvm."
    } >&2
    return 1
  fi

  export JAVA_HOME=$best
  BURST_JAVA_MAJOR=$best_major
  export BURST_JAVA_MAJOR
  case ":$PATH:" in
    ":$JAVA_HOME/bin:"*) ;;
    *) export PATH="$JAVA_HOME/bin:$PATH" ;;
  esac
  return 0
}

burst_maven_opts() {
  local flag=--sun-misc-unsafe-memory-access=allow
  if [[ ${BURST_JAVA_MAJOR:-0} -ge 24 && " ${MAVEN_OPTS:-} " != *" $flag "* ]]; then
    MAVEN_OPTS="${MAVEN_OPTS:+$MAVEN_OPTS }$flag"
    export MAVEN_OPTS
  fi
  return 0
}
