// SPDX-License-Identifier: Apache-2.0
// Runs a FakeModem on a pseudo-terminal: the modem's side is the pty master; the slave (/dev/pts/N) is the "serial
// port" a driver opens. The runner keeps its own descriptor of the slave open, so the master never sees a hang-up
// between two users of the port, and sets it raw (as a modem's USB tty is).
#pragma once

#include <atomic>
#include <functional>
#include <string>

#include "tests/fakes/at_modem/fake_modem.h"

namespace lpad::fake_at {

class PtyModem {
public:
    // Opens the pty; when `link` is not empty, makes it a symlink to the slave (replacing what was there).
    PtyModem(FakeModem& modem, std::string link = {});
    ~PtyModem();  // removes the link, closes the pty (the slave's users see a hang-up)
    PtyModem(const PtyModem&) = delete;
    PtyModem& operator=(const PtyModem&) = delete;

    const std::string& slave() const { return slave_; }
    // Serve until `stop` is set (checked every 100 ms). `after_command` runs after each answer (status files).
    void run(const std::atomic<bool>& stop, const std::function<void()>& after_command = {});
    std::size_t bytes_in() const { return bytes_in_; }
    std::size_t bytes_out() const { return bytes_out_; }

private:
    void send(const std::string& bytes);

    FakeModem& modem_;
    std::string link_;
    std::string slave_;
    int master_ = -1;
    int slave_fd_ = -1;
    std::size_t bytes_in_ = 0;
    std::size_t bytes_out_ = 0;
};

}  // namespace lpad::fake_at
