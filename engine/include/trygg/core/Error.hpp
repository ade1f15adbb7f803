#pragma once
// One error hierarchy for the engine. Messages follow the shape
//   <step>: <what failed> '<subject>': <cause>. <what to do>
// and name the file, row and field where there is one.
#include <stdexcept>
#include <string>

namespace trygg {

class Error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// Bad input: a file that cannot be read, a config value out of range, nothing usable left.
class InputError : public Error {
public:
    using Error::Error;
};

// A coordinate reference system that is unknown or unsuitable.
class CrsError : public Error {
public:
    using Error::Error;
};

// A geometry operation (GEOS) failed.
class GeometryError : public Error {
public:
    using Error::Error;
};

// Writing output failed.
class IoError : public Error {
public:
    using Error::Error;
};

// The run was interrupted (Ctrl-C or a cancel request through Progress).
class Cancelled : public Error {
public:
    Cancelled() : Error("cancelled") {}
};

} // namespace trygg
