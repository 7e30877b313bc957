// The dashboard's folder browser (app/logic/folder_browser.h): subfolders sorted, hidden ones
// left out, images counted as the image-folder loader reads them, clear errors.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "logic/folder_browser.h"

namespace {

namespace fs = std::filesystem;

class FolderBrowserTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("convt_folder_browser_" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "zebras");
    fs::create_directories(dir_ / "apples");
    fs::create_directories(dir_ / ".hidden");
    for (const char* name : {"a.png", "b.JPG", "c.jpeg", "notes.txt", "d.png.bak"}) {
      std::ofstream(dir_ / name) << "x";
    }
    std::ofstream(dir_ / "zebras" / "z.png") << "x";  // not counted: not recursive
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  fs::path dir_;
};

TEST_F(FolderBrowserTest, ListsSubfoldersSortedWithoutHiddenOnes) {
  const auto listing = convt::lab::list_folder(dir_.string());
  EXPECT_EQ(listing.error, "");
  EXPECT_EQ(listing.subfolders, (std::vector<std::string>{"apples", "zebras"}));
  EXPECT_EQ(listing.path, dir_.string());
  EXPECT_EQ(listing.parent, dir_.parent_path().string());
}

TEST_F(FolderBrowserTest, CountsTheImagesTheLoaderReads) {
  EXPECT_EQ(convt::lab::list_folder(dir_.string()).images, 3);
  EXPECT_EQ(convt::lab::list_folder((dir_ / "apples").string()).images, 0);
  EXPECT_TRUE(convt::lab::is_image_file_name("x.PnG"));
  EXPECT_FALSE(convt::lab::is_image_file_name("x.png.bak"));
}

TEST_F(FolderBrowserTest, NormalisesAndGoesUp) {
  const auto listing = convt::lab::list_folder((dir_ / "zebras" / ".." / "apples" / "").string());
  EXPECT_EQ(listing.path, (dir_ / "apples").string());
  EXPECT_EQ(convt::lab::list_folder("/").parent, "");
}

TEST_F(FolderBrowserTest, MissingFolderIsAClearErrorNotAThrow) {
  const auto listing = convt::lab::list_folder((dir_ / "nope").string());
  EXPECT_NE(listing.error.find("cannot open"), std::string::npos) << listing.error;
  EXPECT_NE(listing.error.find("nope"), std::string::npos) << listing.error;
  EXPECT_TRUE(listing.subfolders.empty());
}

}  // namespace
