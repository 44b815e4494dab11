// SPDX-License-Identifier: Apache-2.0
// The socket side of the fake qmi-proxy: listens on an abstract UNIX socket (libqmi's QMI_PROXY_SOCKET_PATH,
// "qmi-proxy", unless told otherwise), reads QMUX frames from each client and hands them to a FakeModem. One thread;
// run it in a private network namespace so it never meets the system's qmi-proxy (abstract sockets are per netns).
#pragma once

#include <atomic>
#include <string>
#include <thread>

#include "tests/fakes/qmi_proxy/fake_qmi_modem.h"

namespace lpad::fake_qmi {

class FakeQmiProxy {
public:
    // Binds and listens now (throws Error(Unavailable) if the name is taken); serves on its own thread.
    FakeQmiProxy(FakeModem& modem, std::string socket_name = "qmi-proxy");
    ~FakeQmiProxy();  // stops serving, closes every connection and the listening socket
    FakeQmiProxy(const FakeQmiProxy&) = delete;
    FakeQmiProxy& operator=(const FakeQmiProxy&) = delete;

    // Close every client connection now (as a crashing proxy would); the socket keeps listening.
    void drop_connections();

private:
    void serve();

    FakeModem& modem_;
    int listen_fd_ = -1;
    int wake_[2] = {-1, -1};
    std::atomic<bool> stop_{false};
    std::atomic<bool> drop_{false};
    std::thread thread_;
};

// The same modem on a pseudo-terminal instead, as a QMI port opened directly (qmi:PATH?proxy=0): QMUX frames on the
// pty, raw mode; `link` becomes a symlink to the pty's slave (removed again by the destructor). The fake keeps the
// slave open, so a client closing it (or dying) is not seen here, as with a real port: its client ids stay allocated
// until someone sends CTL Sync or releases them.
class FakeQmiPort {
public:
    FakeQmiPort(FakeModem& modem, std::string link);
    ~FakeQmiPort();
    FakeQmiPort(const FakeQmiPort&) = delete;
    FakeQmiPort& operator=(const FakeQmiPort&) = delete;

private:
    void serve();

    FakeModem& modem_;
    std::string link_;
    int master_ = -1;
    int slave_ = -1;
    int wake_[2] = {-1, -1};
    std::atomic<bool> stop_{false};
    std::thread thread_;
};

}  // namespace lpad::fake_qmi
