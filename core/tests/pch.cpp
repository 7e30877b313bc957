// Empty: the translation unit that builds the precompiled header all test executables reuse
// (GoogleTest and nlohmann/json; see CMakeLists.txt, CONVT_PCH).
