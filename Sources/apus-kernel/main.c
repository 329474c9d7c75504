// apus-kernel: starts an Apus Jupyter kernel so that a client can connect at once.
//
// A client (jupyter_client, JupyterLab) connects to the kernel's ports a few milliseconds after
// starting the process. Loading the Swift runtime and the engine takes longer than that, and a
// ZeroMQ connection refused by a port nobody listens on yet is retried only after 100 ms. So
// this small C program, which starts in about a millisecond, reads the connection file, opens
// the listening sockets of the five channels itself, and then replaces itself (same process,
// same pid, so the client's signals still reach the kernel) with `apus kernel`, passing the open
// sockets on; the kernel hands them to ZeroMQ (ZMQ_USE_FD). Connections that arrive meanwhile
// wait in the sockets' backlog instead of being refused.
//
// Usage: apus-kernel -f CONNECTION_FILE
// Anything this program cannot do (an unreadable file, a host name, a port already taken) it
// leaves to `apus kernel`, which binds as usual and reports errors with their causes.

#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

/// The channels in the order `apus kernel --listening` names them.
static const char *const channels[] = {"shell", "iopub", "stdin", "control", "hb"};
enum { channelCount = 5 };

/// Opens a listening TCP socket on a numeric IPv4 address (or every address for "*" and
/// "0.0.0.0"); returns -1 when it cannot.
static int listenTCP(const char *ip, int port) {
    struct sockaddr_in address;
    memset(&address, 0, sizeof address);
    address.sin_family = AF_INET;
    address.sin_port = htons((uint16_t)port);
    if (strcmp(ip, "*") == 0) {
        address.sin_addr.s_addr = htonl(INADDR_ANY);
    } else if (inet_pton(AF_INET, ip, &address.sin_addr) != 1) {
        return -1;  // a host name or IPv6 address: ZeroMQ resolves those itself
    }
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return -1;
    int on = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
    if (bind(fd, (struct sockaddr *)&address, sizeof address) != 0 || listen(fd, SOMAXCONN) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

/// Opens a listening Unix-domain socket at `ip-port`, the path Jupyter's ipc transport uses.
static int listenIPC(const char *ip, int port) {
    struct sockaddr_un address;
    memset(&address, 0, sizeof address);
    address.sun_family = AF_UNIX;
    int length = snprintf(address.sun_path, sizeof address.sun_path, "%s-%d", ip, port);
    if (length < 0 || (size_t)length >= sizeof address.sun_path) return -1;
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    if (fd < 0) return -1;
    unlink(address.sun_path);  // a file left by an earlier kernel, as ZeroMQ's own bind does
    if (bind(fd, (struct sockaddr *)&address, sizeof address) != 0 || listen(fd, SOMAXCONN) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

/// The `apus` executable next to this one.
static int siblingExecutable(char *path, size_t size) {
    ssize_t length = readlink("/proc/self/exe", path, size - 1);
    if (length <= 0) return -1;
    path[length] = '\0';
    char *slash = strrchr(path, '/');
    if (slash == NULL || (size_t)(slash - path) + sizeof "/apus" > size) return -1;
    strcpy(slash, "/apus");
    return 0;
}

/// Fills `listening` with "shell=FD,iopub=FD,..." for the sockets it could open.
static void openListeners(const char *connectionFile, char *listening, size_t size) {
    listening[0] = '\0';
    json_object *root = json_object_from_file(connectionFile);
    if (root == NULL) return;
    json_object *value;
    const char *transport = "tcp", *ip = "127.0.0.1";
    if (json_object_object_get_ex(root, "transport", &value)) transport = json_object_get_string(value);
    if (json_object_object_get_ex(root, "ip", &value)) ip = json_object_get_string(value);
    int ipc = strcmp(transport, "ipc") == 0;
    if (ipc || strcmp(transport, "tcp") == 0) {
        size_t used = 0;
        for (int i = 0; i < channelCount; i++) {
            char key[16];
            snprintf(key, sizeof key, "%s_port", channels[i]);
            if (!json_object_object_get_ex(root, key, &value) || !json_object_is_type(value, json_type_int)) continue;
            int port = json_object_get_int(value);
            if (port <= 0 || port > 65535) continue;  // 0 asks the kernel to choose
            int fd = ipc ? listenIPC(ip, port) : listenTCP(ip, port);
            if (fd < 0) continue;
            int written = snprintf(listening + used, size - used, "%s%s=%d", used ? "," : "", channels[i], fd);
            if (written < 0 || (size_t)written >= size - used) { close(fd); break; }
            used += (size_t)written;
        }
    }
    json_object_put(root);
}

int main(int argc, char **argv) {
    if (argc != 3 || strcmp(argv[1], "-f") != 0) {
        fprintf(stderr, "usage: apus-kernel -f CONNECTION_FILE\n");
        return 2;
    }
    char apus[PATH_MAX];
    if (siblingExecutable(apus, sizeof apus) != 0) {
        fprintf(stderr, "apus-kernel: cannot find the apus executable next to this one\n");
        return 1;
    }
    char listening[256];
    openListeners(argv[2], listening, sizeof listening);
    char *arguments[] = {apus, "kernel", "-f", argv[2], "--listening", listening, NULL};
    if (listening[0] == '\0') arguments[4] = NULL;
    execv(apus, arguments);
    fprintf(stderr, "apus-kernel: cannot start %s: %s\n", apus, strerror(errno));
    return 1;
}
