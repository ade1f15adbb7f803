// Fuzzes the TOML config: toml++'s parser, then every table Trygg reads from it and the checks
// of its values (validate). The input is the config file's text; it is written to a file of its
// own for loadConfig, which reads a path (relative paths in it resolve against that folder, and
// nothing is opened but the config itself).
#include "FuzzSupport.hpp"

#include "trygg/pipeline/Config.hpp"

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace trygg;
    // A folder of this process's own, removed when it ends.
    static const struct Folder {
        std::filesystem::path dir =
            std::filesystem::temp_directory_path() / ("trygg-fuzz-config-" + std::to_string(getpid()));
        Folder() { std::filesystem::create_directories(dir); }
        ~Folder() {
            std::error_code ignored;
            std::filesystem::remove_all(dir, ignored);
        }
    } folder;
    static const std::string path = (folder.dir / "config.toml").string();
    {
        std::ofstream out(path, std::ios::binary | std::ios::trunc);
        out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
    }
    fuzz::expectingInputErrors([&] {
        const pipeline::Config config = pipeline::loadConfig(path);
        pipeline::validate(config);
        (void)pipeline::inputFiles(config);
        (void)pipeline::outputFiles(config);
    });
    return 0;
}
