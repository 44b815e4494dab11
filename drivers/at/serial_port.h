// SPDX-License-Identifier: Apache-2.0
// A serial port for the `at:` driver: termios raw mode, exclusive locks, reads and writes with deadlines.
//
// Locking (so two programs never interleave commands on one port):
//   - flock(LOCK_EX | LOCK_NB) on the open descriptor (every path to the device, symlinks included);
//   - the UUCP lock file that minicom, picocom, cu and ModemManager-free setups honour: <lock_dir>/LCK..<name>
//     holding the owner's PID as 10 ASCII characters and a newline (FHS 3.0 §5.9). <name> is the device's path
//     below /dev after symlinks are resolved, with '/' turned into '_' (/dev/ttyUSB2 -> LCK..ttyUSB2,
//     /dev/pts/3 -> LCK..pts_3, so a pts never collides with a tty of the same number). A lock file whose PID is
//     not running is stale and removed; a live one is Busy.
// Either lock held by someone else: Error(Busy, "... in use by PID n ..."). A missing device: Unavailable.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

namespace lpad::at {

using Clock = std::chrono::steady_clock;

// The UUCP lock file name for a device path (after realpath): "LCK..ttyUSB2", "LCK..pts_3".
std::string uucp_lock_name(std::string_view device_path);

class UucpLock {
public:
    // Create <dir>/<name> for this process. Throws Busy naming the owner when a live process holds it, TransportError
    // when the file cannot be written.
    UucpLock(std::string dir, const std::string& name);
    ~UucpLock();  // removes the file if it still holds our PID
    UucpLock(const UucpLock&) = delete;
    UucpLock& operator=(const UucpLock&) = delete;
    const std::string& path() const { return path_; }

private:
    std::string path_;
};

class SerialPort {
public:
    // Open `path` (O_NOCTTY, non-blocking), lock it, put it in raw 8N1 mode at `baud` with no flow control and no
    // modem-control hang-up. Throws Unavailable (no such device), Busy (locked), InvalidArgument (unsupported baud),
    // TransportError (anything else, naming the call and errno).
    SerialPort(const std::string& path, unsigned baud, const std::string& lock_dir = "/run/lock");
    ~SerialPort();
    SerialPort(const SerialPort&) = delete;
    SerialPort& operator=(const SerialPort&) = delete;

    // Write everything before `deadline`; throws Timeout or TransportError.
    void write_all(std::string_view data, Clock::time_point deadline);
    // Wait for input until `deadline`; returns the bytes read, empty on timeout. Throws TransportError when the
    // device went away (EIO, hang-up).
    std::string read_some(Clock::time_point deadline);
    // Drop whatever the modem sent that nobody asked for (tcflush plus a non-blocking drain). Returns the bytes.
    std::size_t discard_input();
    // The device node the port was opened as is gone or is now another device (a USB modem unplugged, a pty
    // closed): the port can only be closed.
    bool vanished() const;
    const std::string& path() const { return path_; }
    const std::string& device() const { return device_; }  // the resolved path

private:
    std::string path_;
    std::string device_;
    std::unique_ptr<UucpLock> lock_;  // taken before the device is opened, released after it is closed
    int fd_ = -1;
    unsigned long long rdev_ = 0;
};

bool baud_supported(unsigned baud);

}  // namespace lpad::at
