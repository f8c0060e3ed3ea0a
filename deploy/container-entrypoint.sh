#!/bin/sh
# Starts a private D-Bus session with an unlocked gnome-keyring (for the HTTP token and
# servers' secrets), turns the HTTP endpoint on for the container's network (every request
# still needs the token), and runs the daemon in the foreground. The keyring password comes
# from a file (a Docker or Kubernetes secret), never from an argument or the environment.
set -eu
password_file=${KEYRING_PASSWORD_FILE:-/run/secrets/keyring_password}
if [ ! -r "$password_file" ]; then
  echo "switchboard: mount the keyring password at $password_file (a container secret)" >&2
  exit 1
fi
exec dbus-run-session -- sh -c '
  gnome-keyring-daemon --unlock --components=secrets < "$0" >/dev/null
  # Settings live in the data volume: the first start writes them, later ones keep them.
  switchboard http enable --bind 0.0.0.0 --port 8931 >/dev/null
  switchboard stop >/dev/null
  exec switchboard daemon
' "$password_file"
