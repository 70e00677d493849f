# apt-install: the recipe lines that install Debian packages when a command
# is missing (through sudo when not root). $(call apt-install,COMMAND,PACKAGES)

define apt-install
	@if ! command -v $(1) >/dev/null 2>&1; then \
		echo "$(1) is missing: installing Debian $(2) with apt-get"; \
		sudo=; [ "$$(id -u)" = 0 ] || sudo=sudo; \
		$$sudo env DEBIAN_FRONTEND=noninteractive apt-get update -q && \
		$$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q $(2); \
	fi
endef
